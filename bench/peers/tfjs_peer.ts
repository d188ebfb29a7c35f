// Child process: TF.js 4.22 trains the paper's example on one backend (cpu | wasm | webgpu).
// Usage: node tfjs_peer.mjs <workload JSON> <backend>
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { create, globals } from 'webgpu';
import { gatherNormalised, readMnist } from '../mnist_idx';
import { cpuMs, peakRssMb, printProgress, printResult, readOrder, runChild, readWorkload } from './child_io';

type Backend = 'cpu' | 'wasm' | 'webgpu';

// Kept referenced for the process lifetime: Dawn crashes when its GPU object is collected (ENVIRONMENT.md).
let dawnGpu: GPU | undefined;

async function selectBackend(backend: Backend): Promise<string> {
  if (backend === 'wasm') {
    const require = createRequire(import.meta.url);
    setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
  }
  if (backend === 'webgpu') {
    // Only this process's globals change: navigator.gpu becomes Dawn's, nothing system-wide.
    Object.assign(globalThis, globals);
    dawnGpu = create([]);
    Object.defineProperty(globalThis.navigator, 'gpu', { value: dawnGpu, configurable: true });
    // Imported only now: the backend registers itself only when navigator.gpu exists at import time.
    await import('@tensorflow/tfjs-backend-webgpu');
  }
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} failed to initialise`);
  await tf.ready();
  const flags = backend === 'wasm' ? ` (SIMD ${String(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))}, 1 thread)` : '';
  return `tfjs ${tf.version.tfjs} ${tf.getBackend()}${flags}`;
}

/** PyTorch nn.Linear's U(−1/√fan_in, 1/√fan_in), as a variable of shape (in, out) for x·W. */
function linear(inF: number, outF: number, seed: number): { w: tf.Variable; b: tf.Variable } {
  const bound = 1 / Math.sqrt(inF);
  return {
    w: tf.variable(tf.randomUniform([inF, outF], -bound, bound, 'float32', seed)),
    b: tf.variable(tf.randomUniform([outF], -bound, bound, 'float32', seed + 1)),
  };
}

async function main(): Promise<void> {
  const w = readWorkload();
  const backend = process.argv[3] as Backend;
  if (!['cpu', 'wasm', 'webgpu'].includes(backend)) throw new Error(`unknown TF.js backend '${backend}' (cpu | wasm | webgpu)`);
  const engine = await selectBackend(backend);
  const train = readMnist(w.mnistDir, 'train');
  const test = readMnist(w.mnistDir, 'test');
  const order = readOrder(w);
  const l1 = linear(784, w.hidden, w.seed);
  const l2 = linear(w.hidden, 10, w.seed + 2);
  const vars = [l1.w, l1.b, l2.w, l2.b];
  const forward = (x: tf.Tensor2D): tf.Tensor2D => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, l1.w), l1.b)), l2.w), l2.b);
  const xHost = new Float32Array(w.batch * 784);
  const yHost = new Int32Array(w.batch);

  // One SGD step with PyTorch's coupled decay: θ ← θ − lr·(∇L + wd·θ). Returns the batch loss (kept on the device).
  const step = (s: number): tf.Scalar => {
    gatherNormalised(train, order, s * w.batch, w.batch, xHost, yHost);
    return tf.tidy(() => {
      const x = tf.tensor2d(xHost, [w.batch, 784]);
      const onehot = tf.oneHot(tf.tensor1d(yHost, 'int32'), 10);
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(onehot, forward(x)) as tf.Scalar, vars);
      for (const v of vars) v.assign(tf.sub(v, tf.mul(w.lr, tf.add(grads[v.name], tf.mul(w.weightDecay, v)))));
      return tf.keep(value);
    });
  };

  let finalLoss = NaN;
  let t0 = 0;
  let cpu0 = process.cpuUsage();
  for (let s = 0; s < w.steps; s++) {
    if (s === w.warmupSteps) {
      t0 = performance.now();
      cpu0 = process.cpuUsage();
    }
    const loss = step(s);
    // Log points (and the warm-up boundary) read the loss back, which also drains the device queue.
    if ((s + 1) % w.logEvery === 0 || s + 1 === w.steps || s + 1 === w.warmupSteps) {
      finalLoss = (await loss.data())[0];
      if (s + 1 > w.warmupSteps) printProgress({ step: s + 1, msPerStep: (performance.now() - t0) / (s + 1 - w.warmupSteps) });
    }
    loss.dispose();
  }
  const msPerStep = (performance.now() - t0) / (w.steps - w.warmupSteps);
  const cpuMsPerStep = cpuMs(process.cpuUsage(cpu0)) / (w.steps - w.warmupSteps);

  let correct = 0;
  const evalBatch = 500;
  const xs = new Float32Array(evalBatch * 784);
  const ys = new Int32Array(evalBatch);
  const all = Uint32Array.from({ length: w.testCount }, (_, i) => i);
  for (let off = 0; off < w.testCount; off += evalBatch) {
    const n = Math.min(evalBatch, w.testCount - off);
    gatherNormalised(test, all, off, n, xs, ys);
    const pred = tf.tidy(() => tf.argMax(forward(tf.tensor2d(xs.subarray(0, n * 784), [n, 784])), 1));
    const p = await pred.data();
    pred.dispose();
    for (let i = 0; i < n; i++) if (p[i] === ys[i]) correct++;
  }
  printResult({
    system: `TF.js ${backend}`, engine, msPerStep, cpuMsPerStep, timedSteps: w.steps - w.warmupSteps, finalLoss,
    testAccuracy: correct / w.testCount, peakRssMb: peakRssMb(),
  });
  tf.disposeVariables();
}

runChild(main);
