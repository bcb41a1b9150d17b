import type { FastifyInstance } from 'fastify';
import { duplicateKeyProblem, ProblemException } from './problem';

interface ObjectFrame {
  readonly kind: 'object';
  readonly path: string;
  readonly keys: Set<string>;
  expectKey: boolean;
  lastKey: string;
}
interface ArrayFrame {
  readonly kind: 'array';
  readonly path: string;
  index: number;
}

/** A key as it may appear in a path: schema field names always do; anything else is not quoted back. */
const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]{0,63}$/;
const segment = (parent: string, key: string): string => {
  const name = PLAIN_KEY.test(key) ? key : '*';
  return parent === '' ? name : `${parent}.${name}`;
};

/**
 * The path (`settings.rules[0].points`, as in invalid-input errors) of the first key that appears
 * twice in one object of a JSON text, at any depth, or undefined. Keys are compared decoded
 * (`"a"` and `"\u0061"` are the same key). A text that is not valid JSON may give either answer:
 * the parser that runs after this refuses it anyway. Iterative, so a deeply nested body cannot
 * exhaust the stack.
 */
export function findDuplicateKey(text: string): string | undefined {
  const stack: (ObjectFrame | ArrayFrame)[] = [];
  const childPath = (): string => {
    const top = stack[stack.length - 1];
    if (top === undefined) return '';
    return top.kind === 'object' ? segment(top.path, top.lastKey) : `${top.path}[${top.index}]`;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) stack.push({ kind: 'object', path: childPath(), keys: new Set(), expectKey: true, lastKey: '' });
    else if (c === 0x5b /* [ */) stack.push({ kind: 'array', path: childPath(), index: 0 });
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) stack.pop();
    else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.kind === 'object') top.expectKey = true;
      else if (top?.kind === 'array') top.index += 1;
    } else if (c === 0x22 /* " */) {
      let end = i + 1;
      let escaped = false;
      for (; end < text.length; end++) {
        const d = text.charCodeAt(end);
        if (d === 0x5c /* \ */) {
          escaped = true;
          end++;
        } else if (d === 0x22) break;
      }
      const top = stack[stack.length - 1];
      if (top?.kind === 'object' && top.expectKey) {
        let key: string;
        try {
          key = escaped ? (JSON.parse(text.slice(i, end + 1)) as string) : text.slice(i + 1, end);
        } catch {
          return undefined; // not JSON: the parser says so
        }
        if (top.keys.has(key)) return segment(top.path, key);
        top.keys.add(key);
        top.lastKey = key;
        top.expectKey = false;
      }
      i = end;
    }
  }
  return undefined;
}

/**
 * Fastify's own JSON parser (prototype poisoning refused), after a check for duplicate keys: JSON
 * leaves their meaning open, and our parser keeping the last one while a proxy, a WAF or an
 * auditor's tool keeps the first is a way to make them see different requests. 400 naming the path.
 */
export function refuseDuplicateKeys(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // parseAs 'string': the body is a string.
    const text = typeof body === 'string' ? body : body.toString('utf8');
    const duplicate = findDuplicateKey(text);
    if (duplicate !== undefined) {
      done(new ProblemException(duplicateKeyProblem(duplicate)), undefined);
      return;
    }
    void parse(request, text, done);
  });
}
