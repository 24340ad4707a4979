/** Error classes users can catch by kind. Messages say what was wrong and what was expected. */

export class ConvkitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A tensor or layer got a shape it cannot work with. */
export class ShapeError extends ConvkitError {}

/** An argument or option has a wrong value (unknown name, out-of-range label, NaN input…). */
export class ValueError extends ConvkitError {}

/** A file could not be read as what it claims to be. */
export class FormatError extends ConvkitError {}

/** Lists the accepted names in a message, e.g. for unknown activations or losses. */
export function unknownName(kind: string, got: unknown, valid: readonly string[]): ValueError {
  const plural = kind.endsWith('s') ? `${kind}es` : `${kind}s`;
  return new ValueError(`Unknown ${kind} ${JSON.stringify(got)}. Valid ${plural}: ${valid.join(', ')}`);
}
