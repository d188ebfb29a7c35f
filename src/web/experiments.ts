// The two one-click experiments of the lab: each is a LabConfig with a question attached.
import { defaultLabConfig, type LabConfig } from './lab_config';

export interface Experiment {
  id: string;
  title: string;
  /** What to look at in the plots once it has run. */
  question: string;
  config: LabConfig;
}

export const EXPERIMENTS: Experiment[] = [
  {
    id: 'overfitting',
    title: 'Does weight decay curb overfitting?',
    question:
      'A wide layer on 1,000 samples can memorise them. Does the gap between train and test accuracy shrink as λ grows? Does test accuracy fall once λ is too large (underfitting)? Read the gap and accuracy plots.',
    config: {
      ...defaultLabConfig(),
      hidden: [512],
      optimizer: 'sgd',
      lr: 0.05,
      momentum: 0.9,
      decayModes: ['l2'],
      lambdas: [0, 1e-4, 1e-3, 1e-2, 5e-2],
      epochs: 20,
      batchSize: 50,
      trainSubset: 1000,
      testSubset: 2000,
    },
  },
  {
    id: 'l2-vs-decoupled',
    title: 'L2 vs decoupled decay under Adam',
    question:
      'Under plain SGD the two are the same; under Adam the coupled (L2) term is divided by √v, so weights with large gradients are barely decayed, while decoupled decay shrinks every weight alike. Compare the weight norms and test accuracy of the two modes at each coefficient.',
    config: {
      ...defaultLabConfig(),
      hidden: [256],
      optimizer: 'adam',
      lr: 1e-3,
      momentum: 0,
      // Same optimizer (Adam), same coefficients: only where the decay enters differs.
      decayModes: ['coupled', 'decoupled'],
      lambdas: [1e-2, 1e-1],
      epochs: 5,
      batchSize: 64,
      trainSubset: 2000,
      testSubset: 2000,
    },
  },
];
