// Hands the main thread back to the browser so that input and painting happen between training chunks.

export function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    // rAF paints the latest plots first; hidden tabs throttle rAF, so a timeout keeps training going there.
    const timer = setTimeout(resolve, 50);
    requestAnimationFrame(() => {
      clearTimeout(timer);
      setTimeout(resolve, 0);
    });
  });
}
