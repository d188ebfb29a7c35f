// Hands the main thread back to the browser so that input and painting happen between training chunks.

export function nextFrame(): Promise<void> {
  // Outside a window (Node tests, workers) there are no frames: just let other tasks run.
  if (typeof requestAnimationFrame !== 'function') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    // rAF paints the latest plots first; hidden tabs throttle rAF, so a timeout keeps training going there.
    const timer = setTimeout(resolve, 50);
    requestAnimationFrame(() => {
      clearTimeout(timer);
      setTimeout(resolve, 0);
    });
  });
}
