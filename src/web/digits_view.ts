// Test digits drawn from their uint8 pixels, each captioned with the model's prediction (wrong ones flagged).
import type { Dataset } from '../core/dataset';

const SIDE = 28;

export function renderDigits(container: HTMLElement, test: Dataset, predictions: number[], runLabel: string): void {
  if (test.dim !== SIDE * SIDE) throw new RangeError(`digits need 28×28 images, the test set has ${test.dim} features`);
  container.replaceChildren();
  predictions.forEach((predicted, i) => {
    const truth = test.labels[i];
    const figure = document.createElement('figure');
    figure.className = predicted === truth ? 'digit' : 'digit wrong';
    const canvas = document.createElement('canvas');
    canvas.width = SIDE;
    canvas.height = SIDE;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `handwritten ${truth}`);
    const ctx = canvas.getContext('2d');
    if (ctx) {
      const image = ctx.createImageData(SIDE, SIDE);
      for (let p = 0; p < SIDE * SIDE; p++) {
        // MNIST is white ink on black; drawn as dark ink on white for readability.
        const v = 255 - (test.features[i * test.dim + p] as number);
        image.data.set([v, v, v, 255], 4 * p);
      }
      ctx.putImageData(image, 0, 0);
    }
    const caption = document.createElement('figcaption');
    caption.textContent = predicted === truth ? `${predicted}` : `${predicted} ✗ (is ${truth})`;
    figure.append(canvas, caption);
    container.append(figure);
  });
  container.setAttribute('aria-label', `first ${predictions.length} test digits with the predictions of ${runLabel}`);
}
