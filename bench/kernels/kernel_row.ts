// One kernel timing in the bench report.
export interface KernelRow {
  name: string;
  /** Human-readable M×K×N of C(M,N) = A(M,K)·B(K,N). */
  shape: string;
  gflops: number;
}
