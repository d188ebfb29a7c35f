// Which packed words of a uint8 dataset a batch reads (gemm_codegen.ts GemmInput says why): a word is 4 features in
// one u32, and a word whose bytes are 0 in every row of the batch, and whose features have no shift, is 0 after
// normalisation in every row, so layer 0's products skip it. Host side: a bit per sample and word, made once per
// dataset, and per batch a list that the kernels read from the index buffer.

export interface InputWordMasks {
  /** Words per sample: dim / 4. */
  words: number;
  /** u32s of mask per sample: ceil(words / 32). */
  stride: number;
  /** Bit w % 32 of bits[s·stride + ⌊w / 32⌋]: some byte of sample s's word w is nonzero. */
  bits: Uint32Array;
  /** The same bits for words that normalise to nonzero whatever their bytes (a feature with a nonzero shift). */
  always: Uint32Array;
}

/** The masks of a uint8 dataset of `count` rows of `dim` features (dim % 4 == 0), shift as Dataset.shift. */
export function inputWordMasks(features: Uint8Array, count: number, dim: number, shift: Float32Array): InputWordMasks {
  if (dim % 4 !== 0) throw new RangeError(`active-word masks need rows of whole words (dim % 4 == 0), got dim ${dim}`);
  if (features.length !== count * dim) throw new RangeError(`${features.length} feature bytes are not ${count} rows of ${dim}`);
  const words = dim / 4;
  const stride = Math.ceil(words / 32);
  const bits = new Uint32Array(count * stride);
  // Aligned data is read a word at a time; a view at an odd byte offset is copied once.
  const packed = features.byteOffset % 4 === 0
    ? new Uint32Array(features.buffer, features.byteOffset, count * words)
    : new Uint32Array(features.slice().buffer);
  for (let s = 0; s < count; s++) {
    const row = s * words;
    const out = s * stride;
    for (let w = 0; w < words; w++) {
      if (packed[row + w] !== 0) bits[out + (w >>> 5)] |= 1 << (w & 31);
    }
  }
  const always = new Uint32Array(stride);
  for (let f = 0; f < dim; f++) {
    if (shift[f] !== 0) always[(f >>> 2) >>> 5] |= 1 << ((f >>> 2) & 31);
  }
  return { words, stride, bits, always };
}

/** u32s of one active-word list: the count, then every word. */
export const activeListLength = (words: number): number => words + 1;

/**
 * u32s of one batch's lists: the batch's own list (the weight gradient reads it), then one list per group of
 * `groupRows` rows, the rows one workgroup of layer 0's forward kernel takes (it reads its group's list). Why per
 * group: a word that is zero in all of a group's rows adds nothing to that group's sums, and half of a batch of 64
 * MNIST digits leaves zero more words than the whole batch does (137.7 against 149.4 of 196 on average, each padded
 * to 8 words).
 */
export const batchListsLength = (words: number, batch: number, groupRows: number): number =>
  (1 + rowGroups(batch, groupRows)) * activeListLength(words);

/** Groups of `groupRows` rows in a batch (the last one may be short). */
const rowGroups = (batch: number, groupRows: number): number => {
  if (!(Number.isInteger(groupRows) && groupRows >= 1)) throw new RangeError(`groupRows must be a positive integer, got ${groupRows}`);
  return Math.ceil(batch / groupRows);
};

/**
 * Writes at out[at] the active-word list of the batch of samples `batch`: the count, rounded up to a multiple of
 * `align` (the forward kernel's step along k) with inactive words, as far as there are any (they add zeros), then the
 * active words in order and after them the inactive ones. Returns the count written.
 */
export function writeActiveWords(masks: InputWordMasks, batch: ArrayLike<number>, out: Uint32Array, at: number, align: number): number {
  const union = masks.always.slice();
  orRows(masks, batch, 0, batch.length, union);
  return writeList(union, masks.words, out, at, align);
}

/** ORs the masks of samples rows[from … to) into `union`. */
function orRows(masks: InputWordMasks, rows: ArrayLike<number>, from: number, to: number, union: Uint32Array): void {
  const { stride, bits } = masks;
  for (let i = from; i < to; i++) {
    const at = rows[i] * stride;
    for (let j = 0; j < stride; j++) union[j] |= bits[at + j];
  }
}

/**
 * writeActiveWords' list from the union of its rows' masks: the set bits in order, then the clear ones below `words`,
 * each found by counting leading zeros of the lowest set bit instead of testing every bit twice. Why: the host builds
 * a list per batch and per group of its rows between two chunks while the GPU waits (MNIST, 100 batches of 64 inside
 * training, 32-row groups: 1.11–1.21 → 0.78–0.85 ms with the masks read once per batch, below).
 */
function writeList(union: Uint32Array, words: number, out: Uint32Array, at: number, align: number): number {
  let next = at + 1;
  for (let j = 0; j < union.length; j++) {
    for (let v = union[j]; v !== 0; v &= v - 1) out[next++] = 32 * j + 31 - Math.clz32(v & -v);
  }
  const active = next - at - 1;
  for (let j = 0; j < union.length; j++) {
    const valid = Math.min(32, words - 32 * j);
    for (let v = ~union[j] & (valid === 32 ? -1 : (1 << valid) - 1); v !== 0; v &= v - 1) out[next++] = 32 * j + 31 - Math.clz32(v & -v);
  }
  const count = Math.min(Math.ceil(active / align) * align, words);
  out[at] = count;
  return count;
}

/** Writes at out[at] the list of all `words` in order: what a batch whose active words are not known reads. */
export function writeAllWords(words: number, out: Uint32Array, at: number): void {
  out[at] = words;
  for (let w = 0; w < words; w++) out[at + 1 + w] = w;
}

/**
 * What a chunk of `batches` batches of `batch` samples puts in a plan's index buffer: the sample indices, then per
 * batch its active-word lists ('active': the batch's and each row group's, batchListsLength), or one set of lists of
 * all words that every batch reads ('all': evaluation, and training with the skipping off); and where each batch's
 * lists start. Without masks (a dataset that layer 0 does not read as words) just the sample indices, and offsets 0
 * that no kernel reads.
 */
export function batchIndexData(
  sampleIndices: Uint32Array, batch: number, batches: number, masks: InputWordMasks | null, lists: 'active' | 'all', align: number,
  groupRows: number,
): { data: Uint32Array; activeOffsets: number[] } {
  const samples = batch * batches;
  if (sampleIndices.length < samples) throw new RangeError(`${batches} batches of ${batch} need ${samples} sample indices, got ${sampleIndices.length}`);
  if (!masks) return { data: sampleIndices.subarray(0, samples), activeOffsets: new Array<number>(batches).fill(0) };
  const length = activeListLength(masks.words);
  const groups = rowGroups(batch, groupRows);
  const perBatch = batchListsLength(masks.words, batch, groupRows);
  const data = new Uint32Array(samples + (lists === 'active' ? batches : 1) * perBatch);
  data.set(sampleIndices.subarray(0, samples));
  if (lists === 'all') {
    for (let l = 0; l <= groups; l++) writeAllWords(masks.words, data, samples + l * length);
    return { data, activeOffsets: new Array<number>(batches).fill(samples) };
  }
  const activeOffsets = Array.from({ length: batches }, (_, b) => samples + b * perBatch);
  // Each sample's mask is read once: the batch's union is the OR of its groups' (writeList says why it matters).
  const batchUnion = new Uint32Array(masks.stride);
  const groupUnion = new Uint32Array(masks.stride);
  activeOffsets.forEach((at, b) => {
    batchUnion.set(masks.always);
    for (let g = 0; g < groups; g++) {
      groupUnion.set(masks.always);
      orRows(masks, sampleIndices, b * batch + g * groupRows, b * batch + Math.min((g + 1) * groupRows, batch), groupUnion);
      writeList(groupUnion, masks.words, data, at + (1 + g) * length, align);
      for (let j = 0; j < groupUnion.length; j++) batchUnion[j] |= groupUnion[j];
    }
    writeList(batchUnion, masks.words, data, at, align);
  });
  return { data, activeOffsets };
}
