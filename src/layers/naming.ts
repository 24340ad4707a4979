/** Keras's automatic names: snake_case class name plus a per-name counter (conv2d, conv2d_1…). */

const counters = new Map<string, number>();

/** Keras's to_snake_case: Conv2D → conv2d, MaxPooling2D → max_pooling2d, ReLU → re_lu. */
export function toSnakeCase(name: string): string {
  const s = name.replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  return s.startsWith('_') ? `private${s}` : s;
}

export function uniqueName(base: string): string {
  const n = counters.get(base) ?? 0;
  counters.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

/** Reset automatic naming (keras.backend.clear_session). */
export function clearSession(): void {
  counters.clear();
}
