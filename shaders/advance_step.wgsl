// Moves the step cursor to the next slot (struct StepSlots in shaders/step_uniform.wgsl: the cursor is the first word
// of the step buffer). Dispatched with one invocation after every training step and every evaluation batch; the host
// resets the cursor to 0 when it writes a chunk's slots, so slot s serves step s of the chunk.

@group(0) @binding(0) var<storage, read_write> cursor: u32;

@compute @workgroup_size(1)
fn main() {
  cursor = cursor + 1u;
}
