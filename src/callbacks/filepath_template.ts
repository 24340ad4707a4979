/**
 * File-name templates in Python's `str.format` syntax, as Keras users write them for
 * ModelCheckpoint: `ckpt-{epoch:02d}-{val_loss:.2f}.keras`, `{{` and `}}` for literal braces.
 * Only named fields are supported (Keras calls `filepath.format(epoch=…, **logs)`, so positional
 * fields, attribute/index access and `!r` conversions have nothing sensible to refer to).
 */
import { dirname, sep } from 'node:path';
import { ValueError } from '../errors.js';
import { pyFormat, type PyValue } from './py_format.js';

export interface TemplateField {
  name: string;
  spec: string;
}

export type TemplatePart = string | TemplateField;

/** Splits a template into literal text (braces unescaped) and fields; syntax errors throw. */
export function parseTemplate(template: string, what: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  const bad = (why: string): ValueError => new ValueError(`${what}: invalid filepath template ${JSON.stringify(template)}: ${why}`);
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '}') {
      if (template[i + 1] !== '}') throw bad(`single '}' at position ${i}; write '}}' for a literal brace`);
      text += '}';
      i++;
      continue;
    }
    if (c !== '{') {
      text += c;
      continue;
    }
    if (template[i + 1] === '{') {
      text += '{';
      i++;
      continue;
    }
    const end = template.indexOf('}', i + 1);
    if (end < 0) throw bad(`'{' at position ${i} is never closed; write '{{' for a literal brace`);
    const body = template.slice(i + 1, end);
    if (body.includes('{')) throw bad(`nested fields such as ${JSON.stringify(template.slice(i, end + 1))} are not supported`);
    const colon = body.indexOf(':');
    const name = colon < 0 ? body : body.slice(0, colon);
    const spec = colon < 0 ? '' : body.slice(colon + 1);
    if (name === '' || /^\d+$/.test(name)) throw bad(`positional field {${name}} has no value; name a key, e.g. {epoch:02d} or {val_loss:.2f}`);
    if (name.includes('!')) throw bad(`conversions such as {${name}} are not supported; use a format spec, e.g. {val_loss:.4f}`);
    if (/[.[]/.test(name)) throw bad(`attribute or index access in {${name}} is not supported`);
    if (text) parts.push(text);
    text = '';
    parts.push({ name, spec });
    i = end;
  }
  if (text) parts.push(text);
  return parts;
}

/** The template filled with `values`; a field with no value throws, listing the available keys. */
export function formatTemplate(template: string, values: Readonly<Record<string, PyValue>>, what: string): string {
  let out = '';
  for (const part of parseTemplate(template, what)) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const v = Object.prototype.hasOwnProperty.call(values, part.name) ? values[part.name] : undefined;
    if (v === undefined) {
      throw new ValueError(`${what}: failed to format the filepath ${JSON.stringify(template)}: there is no value named ${JSON.stringify(part.name)}; available keys: ${Object.keys(values).join(', ')}`);
    }
    out += pyFormat(v, part.spec, `${what}: field {${part.name}${part.spec ? `:${part.spec}` : ''}} of ${JSON.stringify(template)}`);
  }
  return out;
}

/**
 * The deepest directory every filled-in path lies in: the template's directory, or, when a field
 * sits in the directory part (`runs/{epoch}/m.keras`), the directory before that field.
 */
export function fixedDirectory(template: string, what: string): string {
  const HOLE = '\u0000';
  const flat = parseTemplate(template, what).map((p) => (typeof p === 'string' ? p : HOLE)).join('');
  const dir = dirname(flat);
  const hole = dir.indexOf(HOLE);
  if (hole < 0) return dir;
  const before = dir.slice(0, hole);
  const cut = Math.max(before.lastIndexOf('/'), before.lastIndexOf(sep));
  if (cut < 0) return '.';
  return cut === 0 ? before.slice(0, 1) : before.slice(0, cut);
}
