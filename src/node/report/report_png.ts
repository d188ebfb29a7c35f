// report.png: the main figure rendered server-side (Vega View.toSVG → resvg), for a README or a paper.
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { ResultsFile } from '../../train/results';
import { mainFigure } from './report_specs';

export async function mainFigureSvg(f: ResultsFile): Promise<string> {
  const view = new vega.View(vega.parse(compile(mainFigure(f)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export async function reportPng(f: ResultsFile): Promise<Uint8Array> {
  const svg = await mainFigureSvg(f);
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}
