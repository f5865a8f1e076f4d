/**
 * Which methods the registered routes answer on a concrete path, so a known path asked with another
 * method is 405 with `Allow` rather than 404. Path patterns (`/v1/clients/:id`, `/docs/*`) become
 * regular expressions once, at registration; a trailing slash is ignored, as the router does.
 */
export class RouteMethods {
  private readonly routes: { pattern: RegExp; methods: Set<string> }[] = [];

  add(url: string, method: string | string[]): void {
    const methods = (Array.isArray(method) ? method : [method]).filter((m) => m !== 'OPTIONS');
    // CORS answers OPTIONS on every path: that makes no path "known".
    if (methods.length === 0 || url === '*' || url === '/*') return;
    const source = url
      .replace(/\/+$/, '')
      .split('/')
      .map((segment) => (segment === '*' ? '.*' : segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    const key = `^${source}/?$`;
    let route = this.routes.find((r) => r.pattern.source === new RegExp(key).source);
    if (!route) {
      route = { pattern: new RegExp(key), methods: new Set() };
      this.routes.push(route);
    }
    for (const m of methods) route.methods.add(m);
  }

  /** The methods some route answers on `path`, sorted; empty for an unknown path. */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.routes) if (route.pattern.test(path)) for (const m of route.methods) methods.add(m);
    return [...methods].sort();
  }
}
