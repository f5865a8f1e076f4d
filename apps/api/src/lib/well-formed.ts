/** A surrogate code point: in `u` mode a pair is one character, so only a lone one matches. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Where in a parsed JSON body the first text that is not well-formed Unicode is (a JSON pointer; a
 * member's name counts as its own place), or undefined when all of it is. JSON may spell a lone
 * surrogate (`"\ud800"`), which is no character: stored, it became U+FFFD, so the stored name was
 * not the one sent. Walked with a stack of its own: a deeply nested body cannot exhaust the call stack.
 */
export function illFormedAt(body: unknown): string | undefined {
  const pending: [unknown, string][] = [[body, '']];
  while (pending.length > 0) {
    const [value, path] = pending.pop()!;
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) return path;
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pending.push([value[i], `${path}/${i}`]);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, member] of Object.entries(value).reverse()) {
        const at = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
        if (LONE_SURROGATE.test(key)) return at;
        pending.push([member, at]);
      }
    }
  }
  return undefined;
}
