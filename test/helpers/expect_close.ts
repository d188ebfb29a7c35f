// The one comparison helper: |actual − expected| ≤ atol + rtol·|expected|, reporting max error and first mismatches.

export interface Tolerance {
  atol: number;
  rtol: number;
}

export interface CloseReport {
  maxAbsError: number;
  /** max |a − e| / (atol + rtol·|e|): ≤ 1 means within tolerance. */
  worstRatio: number;
  mismatches: number;
}

export function compareClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): CloseReport & { lines: string[] } {
  if (actual.length !== expected.length) throw new Error(`length mismatch: actual ${actual.length}, expected ${expected.length}`);
  let maxAbsError = 0;
  let worstRatio = 0;
  let mismatches = 0;
  const lines: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const err = Math.abs(a - e);
    const allowed = tol.atol + tol.rtol * Math.abs(e);
    // NaN compares false everywhere: count it as a mismatch explicitly.
    const bad = !(err <= allowed);
    if (Number.isFinite(err)) maxAbsError = Math.max(maxAbsError, err);
    else maxAbsError = Infinity;
    worstRatio = Math.max(worstRatio, Number.isNaN(err) ? Infinity : err / allowed);
    if (bad) {
      mismatches++;
      if (lines.length < 8) lines.push(`  [${i}] actual ${a} expected ${e} |err| ${err.toExponential(3)} allowed ${allowed.toExponential(3)}`);
    }
  }
  return { maxAbsError, worstRatio, mismatches, lines };
}

/** Throws with a table of the first mismatches; returns the report (max error) for logging. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what = 'values'): CloseReport {
  const r = compareClose(actual, expected, tol);
  if (r.mismatches > 0) {
    throw new Error(
      `${what}: ${r.mismatches}/${expected.length} outside atol ${tol.atol} + rtol ${tol.rtol}·|ref| ` +
        `(max |err| ${r.maxAbsError.toExponential(3)})\n${r.lines.join('\n')}`,
    );
  }
  return { maxAbsError: r.maxAbsError, worstRatio: r.worstRatio, mismatches: 0 };
}
