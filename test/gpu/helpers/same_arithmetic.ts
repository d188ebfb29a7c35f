// Two kernels that do the same arithmetic per element (a vec4 kernel and its scalar twin): the CPU drivers compile
// both to the same roundings, so their results are compared bit for bit there. WGSL lets a real GPU's compiler fuse
// a·b + c and compute sqrt and division to 2.5 ULP, and NVIDIA's rounds the vec4 and scalar forms of Adam differently
// (seen on an H200: bits differ, both within the CPU twin's tolerance), so there the results are compared within the
// tolerance the caller states.
import { expect } from 'vitest';
import { isSoftwareAdapter } from '../../../src/gpu/kernel_variants';
import { expectClose, type CloseReport, type Tolerance } from '../../helpers/expect_close';

type AdapterFacts = Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'device' | 'description'>;

/** Equal bits on a CPU driver; within `tol` elsewhere. Returns the comparison's report (max error 0 when bit-equal). */
export function expectSameArithmetic(
  info: AdapterFacts, actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what: string,
): CloseReport | undefined {
  if (isSoftwareAdapter(info)) {
    const bits = (a: ArrayLike<number>): number[] => Array.from(new Uint32Array(Float32Array.from(a).buffer));
    expect(bits(actual), `${what}: bit for bit on a CPU driver`).toEqual(bits(expected));
    return undefined;
  }
  return expectClose(actual, expected, tol, `${what} (within tolerance on a GPU, whose compiler may round differently)`);
}
