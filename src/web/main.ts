// The lab page: wires the form, the engine (WebGPU in the page, or the edge without it), the charts and the URL.
import 'uplot/dist/uPlot.min.css';
import { createCpuTrainer } from '../cpu/cpu_trainer';
import type { Trainer } from '../core/trainer';
import { ApiHttpError } from './api_error';
import { ApiTokenStore, browserStorage } from './api_token';
import { readForm, writeForm } from './controls';
import { loadLabData, type LabData } from './dataset_client';
import { renderDigits } from './digits_view';
import { EdgeClient } from './edge_client';
import { EXPERIMENTS } from './experiments';
import { pageGpu } from './gpu_engine';
import type { LabConfig } from './lab_config';
import type { LabResults } from './lab_results';
import { ResultsView } from './results_view';
import { parseRoute, resultsUrl, sweepUrl, type LabRoute } from './route';
import { runSweep, type FinalEvaluation, type TrainerFactory } from './sweep_runner';

/** The dataset name the edge stores MNIST under (`npm start` seeds it; the dev server serves a slice). */
const DATASET = 'mnist';
/** The API is served from the same origin as the page (Worker static assets, `decaylab serve`, the dev server). */
const API_BASE = '';

/** What tests (and curious people in the console) can read: the engine's own numbers, not the page's text. */
interface LabHook {
  state: 'starting' | 'idle' | 'training' | 'done' | 'error';
  engine: 'gpu' | 'cpu' | 'edge' | null;
  error: string | null;
  results: LabResults | null;
  finalEvaluations: FinalEvaluation[];
  /** Parameters of run r as plain arrays, for recomputation outside the page. */
  params(run: number): Promise<{ weight: number[]; bias: number[] }[]>;
}

declare global {
  interface Window {
    decaylab: LabHook;
  }
}

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page lacks #${id}`);
  return el as T;
};

const form = $<HTMLFormElement>('controls');
const status = $('status');
const progressBar = $<HTMLProgressElement>('progress-bar');
const formError = $('form-error');
const trainButton = $<HTMLButtonElement>('train');
const stopButton = $<HTMLButtonElement>('stop');
const saveButton = $<HTMLButtonElement>('save');
const share = $('share');
const tokenForm = $<HTMLFormElement>('api-access');
const tokenInput = tokenForm.elements.namedItem('token') as HTMLInputElement;
const tokenStatus = $('token-status');
const view = new ResultsView(document.body);
/** The edge API's bearer token (only when the API has tokens configured), kept in this browser's localStorage. */
const tokens = new ApiTokenStore(browserStorage());
const edge = new EdgeClient(API_BASE, DATASET, () => tokens.get());

let trainers: Trainer[] = [];
let data: LabData | null = null;
let stopper: AbortController | null = null;
let lastResults: LabResults | null = null;
/** The address's saved results or sweep, when opening it was refused for want of a token: retried once one is given. */
let routeAwaitingToken: LabRoute | null = null;

const hook: LabHook = {
  state: 'starting', engine: null, error: null, results: null, finalEvaluations: [],
  async params(run) {
    const t = trainers[run];
    if (!t) throw new Error(`no trained run ${run} in this page`);
    return (await t.getParams()).map((l) => ({ weight: Array.from(l.weight), bias: Array.from(l.bias) }));
  },
};
window.decaylab = hook;

function setStatus(text: string): void {
  status.textContent = text;
}

function fail(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  hook.state = 'error';
  hook.error = message;
  setStatus(`Error: ${message}`);
  if (error instanceof ApiHttpError && error.isAuth) askForToken(error.message);
}

function showTokenState(): void {
  const token = tokens.get();
  tokenStatus.className = '';
  tokenStatus.removeAttribute('role');
  // The end of the token tells which one is saved without showing it.
  tokenStatus.textContent = token
    ? `A token ending in …${token.slice(-4)} is saved in this browser; every API request sends it.`
    : 'No token saved: API requests go without one (enough for an open API).';
}

/** The API refused the request for want of a (valid) token: say so beside the token field and put the cursor there. */
function askForToken(message: string): void {
  tokenStatus.className = 'error';
  tokenStatus.setAttribute('role', 'alert');
  tokenStatus.textContent = message;
  tokenInput.focus();
}

function setBusy(busy: boolean): void {
  trainButton.disabled = busy;
  stopButton.disabled = !busy;
  saveButton.disabled = busy || lastResults === null || lastResults.engine === 'edge';
  for (const b of document.querySelectorAll<HTMLButtonElement>('#experiments button')) b.disabled = busy;
}

function showResults(results: LabResults): void {
  lastResults = results;
  hook.results = results;
  view.render(results);
  if (results.engine === 'edge') {
    $('digits').textContent = 'Digits with predictions are shown for runs trained in this page.';
  } else if (data) {
    // The digits follow the run with the best test accuracy so far.
    const best = results.runs.reduce((a, r) => (r.history.at(-1)!.testAccuracy > a.history.at(-1)!.testAccuracy ? r : a));
    if (best.digitPredictions) renderDigits($('digits'), data.test, best.digitPredictions, best.label);
  }
}

type EngineChoice = { kind: 'gpu' | 'cpu'; create: TrainerFactory; adapter?: string } | { kind: 'edge'; reason: string };
let engineChoice: Promise<EngineChoice> | null = null;

/** Chosen once per page: one GPU device serves every sweep. */
function chooseEngine(): Promise<EngineChoice> {
  engineChoice ??= detectEngine();
  return engineChoice;
}

async function detectEngine(): Promise<EngineChoice> {
  // ?engine=cpu trains in the page on the CPU engine: for comparing engines, not a fallback (that is the edge).
  if (new URL(location.href).searchParams.get('engine') === 'cpu') return { kind: 'cpu', create: async (c) => createCpuTrainer(c) };
  const gpu = await pageGpu();
  if ('unavailable' in gpu) return { kind: 'edge', reason: gpu.unavailable };
  const { vendor, architecture, description } = gpu.acquired.info;
  const adapter = [vendor, architecture, description].filter((t) => t).join(' ') || 'unnamed adapter';
  return { kind: 'gpu', create: gpu.createTrainer, adapter };
}

async function trainInPage(config: LabConfig, kind: 'gpu' | 'cpu', create: TrainerFactory): Promise<void> {
  for (const t of trainers) t.destroy();
  trainers = [];
  setStatus('Loading MNIST…');
  data = await loadLabData(API_BASE, DATASET, config.trainSubset, config.testSubset, tokens.get());
  if (data.train.count < config.trainSubset) {
    throw new RangeError(`training subset: the server sent ${data.train.count} training samples, fewer than the ${config.trainSubset} asked for`);
  }
  setStatus(`MNIST loaded from the ${data.source}: ${data.train.count} training and ${data.test.count} test images. Building ${kind.toUpperCase()} trainers…`);
  const started = performance.now();
  const outcome = await runSweep(config, data.train, data.test, create, kind, stopper!.signal, {
    onEpoch: showResults,
    onProgress(p, results) {
      progressBar.value = p.step / p.totalSteps;
      setStatus(`Epoch ${p.epoch} of ${p.epochs} · step ${p.step} of ${p.totalSteps} · ${results.runs.length} runs · ${p.stepsPerSecond.toFixed(0)} steps/s`);
      view.render(results);
    },
  });
  trainers = outcome.trainers;
  hook.finalEvaluations = outcome.finalEvaluations;
  progressBar.value = 1;
  const seconds = (performance.now() - started) / 1000;
  setStatus(`Done on the ${kind.toUpperCase()} engine in ${seconds.toFixed(1)} s · ${outcome.results.stepsPerSecond.toFixed(0)} steps/s over all runs.`);
  showResults(outcome.results);
}

async function trainOnEdge(config: LabConfig): Promise<void> {
  setStatus('Starting the sweep on the edge…');
  const ids = await edge.startSweeps(config);
  history.replaceState(null, '', sweepUrl(new URL(location.href), ids));
  share.textContent = `This sweep runs on the edge; its address is shareable: ${location.href}`;
  await followEdgeSweeps(config, ids);
}

async function followEdgeSweeps(config: LabConfig | null, ids: string[]): Promise<void> {
  const views = await edge.waitForSweeps(ids, stopper!.signal, (done, total) => {
    progressBar.value = total ? done / total : 0;
    setStatus(`Training on the edge: ${done} of ${total} runs finished…`);
  });
  const fromEdge = config ?? (await edge.sweepConfig(ids));
  const results = await edge.sweepResults(fromEdge, views);
  progressBar.value = 1;
  setStatus(`Done on the edge: ${results.runs.length} runs.`);
  showResults(results);
}

async function start(config: LabConfig): Promise<void> {
  const engine = await chooseEngine();
  hook.engine = engine.kind;
  hook.state = 'training';
  hook.error = null;
  stopper = new AbortController();
  lastResults = null;
  share.textContent = '';
  setBusy(true);
  try {
    if (engine.kind === 'edge') await trainOnEdge(config);
    else await trainInPage(config, engine.kind, engine.create);
    hook.state = 'done';
  } catch (error) {
    if ((error as Error).name === 'AbortError') {
      hook.state = 'idle';
      setStatus('Stopped.');
    } else fail(error);
  } finally {
    setBusy(false);
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  formError.textContent = '';
  let config: LabConfig;
  try {
    config = readForm(form);
  } catch (error) {
    formError.textContent = (error as Error).message;
    return;
  }
  void start(config);
});

stopButton.addEventListener('click', () => stopper?.abort());

tokenForm.addEventListener('submit', (event) => {
  event.preventDefault();
  try {
    tokens.set(tokenInput.value);
  } catch (error) {
    askForToken((error as Error).message);
    return;
  }
  tokenInput.value = '';
  showTokenState();
  tokenStatus.textContent += routeAwaitingToken ? ' Opening the address again…' : ' Press Train (or Save) to try again.';
  if (routeAwaitingToken) {
    const route = routeAwaitingToken;
    routeAwaitingToken = null;
    hook.error = null;
    openRoute(route).catch(fail);
  }
});

$('token-forget').addEventListener('click', () => {
  tokens.clear();
  showTokenState();
});

saveButton.addEventListener('click', async () => {
  if (!lastResults) return;
  saveButton.disabled = true;
  try {
    const id = await edge.saveResults(lastResults);
    const url = resultsUrl(new URL(location.href), id);
    history.replaceState(null, '', url);
    share.textContent = `Saved. Share this address to reopen these results: ${url}`;
  } catch (error) {
    share.textContent = `Could not save: ${(error as Error).message}`;
    if (error instanceof ApiHttpError && error.isAuth) askForToken(error.message);
  } finally {
    saveButton.disabled = false;
  }
});

function buildExperimentButtons(): void {
  const box = $('experiments');
  for (const experiment of EXPERIMENTS) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary';
    button.textContent = experiment.title;
    button.dataset.experiment = experiment.id;
    button.addEventListener('click', () => {
      writeForm(form, experiment.config);
      $('experiment-question').textContent = experiment.question;
      form.requestSubmit();
    });
    box.append(button);
  }
}

async function boot(): Promise<void> {
  buildExperimentButtons();
  const route = parseRoute(new URL(location.href));
  const engine = await chooseEngine();
  hook.engine = engine.kind;
  if (engine.kind === 'edge') {
    const notice = $('no-webgpu');
    notice.hidden = false;
    notice.textContent = `${engine.reason} Training runs on the decaylab edge API instead: same sweep, trained on Cloudflare's CPUs, plotted here when it finishes.`;
  }
  hook.state = 'idle';
  showTokenState();
  await openAddress(route);
}

/** Opens the route; when the API wants a token for it, remembers it so that giving the token opens it again. */
async function openAddress(route: LabRoute): Promise<void> {
  try {
    await openRoute(route);
  } catch (error) {
    if (error instanceof ApiHttpError && error.isAuth) routeAwaitingToken = route;
    throw error;
  }
}

/** Shows what the address asks for: saved results, an edge sweep, or the idle lab. */
async function openRoute(route: LabRoute): Promise<void> {
  // Each branch sets the state before its first await: a caller polling the state never sees the previous one.
  if (route.kind === 'results') {
    hook.state = 'idle';
    setStatus('Loading saved results…');
    const results = await edge.loadResults(route.id);
    writeForm(form, results.config);
    showResults(results);
    setStatus(`Showing saved results ${route.id} (trained on the ${results.engine} engine, ${results.createdAt}).`);
  } else if (route.kind === 'sweep') {
    hook.state = 'training';
    stopper = new AbortController();
    setBusy(true);
    try {
      await followEdgeSweeps(null, route.ids);
      hook.state = 'done';
    } finally {
      setBusy(false);
    }
  } else {
    const engine = await chooseEngine();
    const where = engine.kind === 'edge' ? 'on the edge' : `in this page on the ${engine.kind.toUpperCase()} engine${engine.adapter ? ` (${engine.adapter})` : ''}`;
    setStatus(`Idle. Training will run ${where}.`);
  }
}

// A saved-results address pasted into this tab changes only the hash, which loads nothing: open it here.
window.addEventListener('hashchange', () => {
  Promise.resolve()
    .then(() => parseRoute(new URL(location.href)))
    .then((route) => (route.kind === 'results' ? openAddress(route) : undefined))
    .catch(fail);
});

boot().catch(fail);
