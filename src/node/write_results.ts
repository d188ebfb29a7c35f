// Writes a command's record into --out: results.json, results.csv, report.html and report.png.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resultsCsv, resultsJson, type ResultsFile } from '../train/results';
import { reportHtml } from './report/report_html';
import { reportPng } from './report/report_png';

export async function writeResults(outDir: string, f: ResultsFile, withReport: boolean): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const written = ['results.json', 'results.csv'];
  writeFileSync(join(outDir, 'results.json'), resultsJson(f));
  writeFileSync(join(outDir, 'results.csv'), resultsCsv(f.runs));
  // Written even when no run finished an epoch (a run that diverged early): the report then says where it diverged.
  if (withReport) {
    writeFileSync(join(outDir, 'report.html'), reportHtml(f));
    writeFileSync(join(outDir, 'report.png'), await reportPng(f));
    written.push('report.html', 'report.png');
  }
  return written.map((w) => join(outDir, w));
}
