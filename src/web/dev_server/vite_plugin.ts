// Node-only: a Vite plugin that serves the lab's MNIST slices from the dev and preview servers.
import type { Connect, Plugin } from 'vite';
import { answerDatasetRequest } from './mnist_slice';

function middleware(): Connect.NextHandleFunction {
  return (req, res, next) => {
    const answer = answerDatasetRequest(new URL(req.url ?? '/', 'http://localhost'));
    if (!answer) return next();
    res.statusCode = answer.status;
    res.setHeader('content-type', answer.type);
    res.end(answer.body);
  };
}

export function labDatasets(): Plugin {
  return {
    name: 'decaylab-lab-datasets',
    configureServer(server) {
      server.middlewares.use(middleware());
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware());
    },
  };
}
