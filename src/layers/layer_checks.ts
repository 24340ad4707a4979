/** Argument checks that several layer families share, so their errors read the same. */
import { ValueError } from '../errors.js';

/**
 * Keras's data_format: convkit runs channels_last (NHWC) only. An absent value is the default;
 * `layout` (e.g. "NHWC") is named in the error when given.
 */
export function checkChannelsLast(dataFormat: unknown, who: string, layout?: string): void {
  if (dataFormat && dataFormat !== 'channels_last' && dataFormat !== 'channelsLast') {
    const what = layout ? ` (${layout}, as Keras's default)` : '';
    throw new ValueError(`${who}: only data_format 'channels_last' is supported${what}, got ${JSON.stringify(dataFormat)}`);
  }
}

/** A convolution's `filters`: a positive integer. */
export function checkFilters(filters: number, who: string): number {
  if (!Number.isInteger(filters) || filters <= 0) throw new ValueError(`${who}: filters must be a positive integer, got ${filters}`);
  return filters;
}
