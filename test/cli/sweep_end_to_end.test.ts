// The CLI end to end on a small real MNIST slice (CPU engine): the files it writes hold exactly what the runs produced.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/node/cli';
import type { CliIo } from '../../src/node/cli_io';
import { createCpuTrainer } from '../../src/cpu/cpu_trainer';
import { makeSplits } from '../../src/data/splits';
import { loadMnist } from '../../src/node/load_data';
import { decodeCheckpoint } from '../../src/train/checkpoint';
import { paramsFromSafetensors } from '../../src/train/safetensors';
import { weightNorms } from '../../src/train/analysis';
import type { ResultsFile } from '../../src/train/results';
import { expectClose } from '../helpers/expect_close';

const silent: CliIo = { out: () => {}, err: () => {} };
const out = mkdtempSync(join(tmpdir(), 'decaylab-cli-'));
const common = ['--train-subset', '500', '--test-subset', '200', '--val-split', '0.2', '--epochs', '2', '--hidden', '32', '--lr', '0.1', '--momentum', '0.9', '--engine', 'cpu', '--quiet', '--seed', '4'];
let results: ResultsFile;

beforeAll(async () => {
  results = (await main(['sweep', '--wd', '0,1e-2', ...common, '--out', out], silent))!;
});

describe('decaylab sweep on 500 MNIST samples', () => {
  it('writes every output file', () => {
    for (const f of ['results.json', 'results.csv', 'report.html', 'report.png', 'weights/wd=0.safetensors', 'weights/wd=1e-2.safetensors', 'checkpoints/wd=0.ckpt', 'checkpoints/wd=1e-2.ckpt']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const png = readFileSync(join(out, 'report.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(10_000);
  });

  it('results.json holds the runs as returned, with per-epoch history and a final object', () => {
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
    expect(json).toEqual(JSON.parse(JSON.stringify(results)));
    expect(json.runs.map((r) => r.config.decay.coefficient)).toEqual([0, 1e-2]);
    for (const r of json.runs) {
      expect(r.status).toBe('completed');
      expect(r.history.length).toBe(2);
      expect(r.config.data).toMatchObject({ trainCount: 500, valCount: 100, testCount: 200 });
      const last = r.history[1];
      expect(r.final).toMatchObject({ trainLoss: last.trainLoss, trainAccuracy: last.trainAccuracy, testLoss: last.testLoss, testAccuracy: last.testAccuracy, weightNorms: last.weightNorms });
      expect(r.final!.gap).toBe(last.trainAccuracy - last.testAccuracy!);
      // 2 epochs of momentum SGD on 500 MNIST digits: far above chance (10%).
      expect(r.final!.testAccuracy).toBeGreaterThan(0.5);
    }
    // Decay shrinks the weights: the run with wd 1e-2 ends with a smaller first-layer norm.
    expect(json.runs[1].final!.weightNorms[0]).toBeLessThan(json.runs[0].final!.weightNorms[0]);
  });

  it('the recorded test metrics are what the saved checkpoint and weights give when evaluated independently', async () => {
    const files = loadMnist();
    for (const r of results.runs) {
      const c = r.config;
      const splits = makeSplits(files.train, files.test, { trainSubset: 500, testSubset: 200, valSplit: 0.2, shuffle: true, seed: 4, normalise: 'scale' });
      const ckpt = decodeCheckpoint(readFileSync(join(out, r.files.checkpoint!)));
      const t = createCpuTrainer({ spec: c.spec, optimizer: c.optimizer, decay: c.decay, seed: c.seed });
      await t.setState(ckpt.state);
      const test = await t.evaluate(await t.addDataset(splits.test!));
      const train = await t.evaluate(await t.addDataset(splits.train));
      expect(test.loss).toBe(r.final!.testLoss);
      expect(test.accuracy).toBe(r.final!.testAccuracy);
      expect(train.accuracy).toBe(r.final!.trainAccuracy);
      const weights = paramsFromSafetensors(readFileSync(join(out, r.files.weights!)), c.spec).params;
      expect(weights.map((l) => [...l.weight])).toEqual((await t.getParams()).map((l) => [...l.weight]));
      // The engine reduces ‖W‖² in float32 in its own order; host float64 agrees to ~1e-6 relative for 25k terms.
      expectClose(r.final!.weightNorms, weightNorms(weights), { atol: 0, rtol: 1e-5 }, `${c.name} weight norms`);
    }
  });

  it('results.csv and report.html carry the same numbers', () => {
    const [header, ...rows] = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    expect(rows.length).toBe(4);
    const col = (n: string) => header.indexOf(n);
    rows.forEach((row) => {
      const e = results.runs[Number(row[col('run')])].history[Number(row[col('epoch')]) - 1];
      expect(Number(row[col('testAccuracy')])).toBe(e.testAccuracy);
      expect(Number(row[col('trainLoss')])).toBe(e.trainLoss);
      expect(Number(row[col('weightNorm1')])).toBe(e.weightNorms[1]);
    });
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const embedded = html.match(/<script type="application\/json" id="decaylab-results">(.*?)<\/script>/s)![1];
    expect(JSON.parse(embedded)).toEqual(JSON.parse(JSON.stringify(results)));
    const figures = JSON.parse(html.match(/<script type="application\/json" id="decaylab-figures">(.*?)<\/script>/s)![1]);
    const curveValues = figures.loss.data.values as { run: number; epoch: number; split: string; loss: number }[];
    for (const [run, r] of results.runs.entries()) {
      for (const e of r.history) expect(curveValues.find((v) => v.run === run && v.epoch === e.epoch && v.split === 'test')!.loss).toBe(e.testLoss);
    }
    // Works offline: the plotting libraries are inlined, nothing is fetched.
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).toContain('vegaEmbed');
    expect(html).toContain('Best on the validation split');
  });

  it('evaluate --checkpoint reproduces the run\'s test metrics and adds per-class accuracy and the confusion matrix', async () => {
    const r = results.runs[1];
    const evalOut = mkdtempSync(join(tmpdir(), 'decaylab-eval-'));
    const e = (await main(['evaluate', '--checkpoint', join(out, r.files.checkpoint!), '--engine', 'cpu', '--out', evalOut, '--quiet'], silent))!;
    expect(e.evaluation!.loss).toBe(r.final!.testLoss);
    expect(e.evaluation!.accuracy).toBe(r.final!.testAccuracy);
    const m = e.evaluation!.confusion;
    expect(m.flat().reduce((a, b) => a + b, 0)).toBe(200);
    expect(m.reduce((s, row, c) => s + row[c], 0) / 200).toBe(r.final!.testAccuracy);
    expect(existsSync(join(evalOut, 'results.json'))).toBe(true);
  });
});

describe('decaylab train', () => {
  it('stopped after epoch 2 and resumed with --resume ends bit-identical to 3 epochs straight', async () => {
    const flags = ['--train-subset', '300', '--test-subset', '50', '--val-split', '0', '--hidden', '16', '--optimizer', 'adamw', '--wd', '0.01', '--engine', 'cpu', '--quiet'];
    const a = mkdtempSync(join(tmpdir(), 'decaylab-a-'));
    const b = mkdtempSync(join(tmpdir(), 'decaylab-b-'));
    await main(['train', ...flags, '--epochs', '3', '--out', a], silent);
    await main(['train', ...flags, '--epochs', '2', '--out', b], silent);
    const resumed = (await main(['train', ...flags, '--epochs', '3', '--out', b, '--resume', join(b, 'checkpoints/run.ckpt')], silent))!;
    expect(resumed.runs[0].history.length).toBe(3);
    expect(readFileSync(join(b, 'weights/run.safetensors'))).toEqual(readFileSync(join(a, 'weights/run.safetensors')));
  });

  it('rejects bad flags with errors naming them', async () => {
    await expect(main(['train', '--hidden', '12,x'], silent)).rejects.toThrow(/--hidden must be a comma list of positive integers/);
    await expect(main(['sweep', '--wd', '0,-1'], silent)).rejects.toThrow(/--wd must be a comma list of numbers ≥ 0, got "-1"/);
    await expect(main(['train', '--dataset', '/nonexistent.csv', '--engine', 'cpu'], silent)).rejects.toThrow(/dataset file \/nonexistent.csv does not exist/);
    await expect(main(['train', '--optimizer', 'rmsprop'], silent)).rejects.toThrow(/--optimizer must be one of sgd, adam, adamw/);
    await expect(main(['train', '--optimizer', 'adam', '--momentum', '0.9', '--engine', 'cpu', '--train-subset', '10', '--test-subset', '10'], silent)).rejects.toThrow(/--momentum applies to sgd/);
  });
});
