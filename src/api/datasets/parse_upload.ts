// Turns an uploaded body (IDX images+labels concatenated, or CSV) into a Dataset; every defect is a 422 naming the body.
import type { Dataset } from '../../core/dataset';
import { parseCsv } from '../../data/csv';
import { datasetFromIdx, parseIdx } from '../../data/idx';
import type { DatasetUpload } from '../backend';
import { invalidField } from '../problem';

/** Byte length of the IDX array at the start of `bytes` (header + data), from its header alone. */
function idxLength(bytes: Uint8Array): number {
  if (bytes.length < 4) throw new RangeError(`${bytes.length} bytes is too short for an IDX header`);
  const ndims = bytes[3];
  const headerLength = 4 + 4 * ndims;
  if (bytes.length < headerLength) throw new RangeError(`truncated IDX header (${bytes.length} bytes, need ${headerLength})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let elements = 1;
  for (let d = 0; d < ndims; d++) elements *= view.getUint32(4 + 4 * d, false);
  return headerLength + elements;
}

export function parseUpload(upload: DatasetUpload): Dataset {
  try {
    if (upload.format === 'csv') {
      const labelColumn = upload.labelColumn !== undefined && /^\d+$/.test(upload.labelColumn) ? Number(upload.labelColumn) : upload.labelColumn;
      return parseCsv(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(upload.body), { labelColumn, classes: upload.classes, name: `${upload.name}/${upload.split}.csv` });
    }
    if (upload.body[0] !== 0 || upload.body[1] !== 0 || upload.body[2] !== 0x08 || upload.body[3] !== 3) {
      throw new RangeError('the body must start with an IDX images file (magic 0x00000803); send CSV as text/csv');
    }
    const imagesLength = idxLength(upload.body);
    // A body shorter than its images header promises is a truncated upload: let the IDX reader say how short.
    if (imagesLength > upload.body.length) parseIdx(upload.body, 'images', 3);
    const split = imagesLength;
    const images = upload.body.subarray(0, split);
    const labels = upload.body.subarray(split);
    if (labels.length === 0) throw new RangeError('the IDX images file must be followed by its IDX labels file (magic 0x00000801)');
    return datasetFromIdx(images, labels, upload.classes ?? 10, { images: 'images', labels: 'labels' });
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError) throw invalidField('(body)', `not a valid ${upload.format.toUpperCase()} dataset: ${e.message}`);
    throw e;
  }
}
