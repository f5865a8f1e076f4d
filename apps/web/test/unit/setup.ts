import { cleanup, configure } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

// The pages load on demand (React.lazy): the first test to open one waits for its transform too,
// which on a loaded 2-core machine can pass the default 1 s.
configure({ asyncUtilTimeout: 15_000 });

// jsdom has no layout: say the window is 1024 px wide, so `(min-width: 720px)` matches (the week grid).
function matchMedia(query: string): MediaQueryList {
  const min = /\(min-width:\s*(\d+)px\)/.exec(query);
  const matches = min ? 1024 >= Number(min[1]) : false;
  return {
    matches,
    media: query,
    onchange: null,
    addEventListener: () => {},
    removeEventListener: () => {},
    addListener: () => {},
    removeListener: () => {},
    dispatchEvent: () => false,
  };
}
Object.defineProperty(window, 'matchMedia', { configurable: true, writable: true, value: vi.fn(matchMedia) });

// jsdom does not scroll; react-router's <ScrollRestoration> asks it to.
Object.defineProperty(window, 'scrollTo', { configurable: true, writable: true, value: vi.fn() });

afterEach(() => {
  cleanup();
  document.cookie = 'ac_csrf=; Max-Age=0; path=/';
});
