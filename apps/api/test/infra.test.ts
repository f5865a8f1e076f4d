// Checks the deployment files against the code: infra/docker-compose.yml, the two .env.example
// files and apps/api/Dockerfile must name every variable the API reads (ENV_VARIABLES).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_VARIABLES, loadConfig } from '../src/config.js';

const fromHere = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const read = (path: string): string => readFileSync(fromHere(path), 'utf8');

interface PortObject {
  target?: number | string;
  published?: number | string;
}
interface Service {
  image?: string;
  expose?: (string | number)[];
  networks?: Record<string, { ipv4_address?: string } | null>;
  build?: string | { context?: string; dockerfile?: string };
  ports?: (string | number | PortObject)[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  environment?: string[] | Record<string, string | number | boolean | null>;
}
interface Compose {
  version?: unknown;
  services?: Record<string, Service>;
  networks?: Record<string, { ipam?: { config?: { subnet?: string }[] } }>;
}

const composeText = read('../../../infra/docker-compose.yml');
const compose = parse(composeText) as Compose;
const services = compose.services ?? {};
const service = (name: string): Service => services[name] ?? {};

/** Interpolates `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}` and `$$` as compose does. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}|\$(\w+)/g, (match, braced?: string, op?: string, arg?: string, bare?: string) => {
    if (match === '$$') return '$';
    const name = (braced ?? bare) as string;
    const current = vars[name];
    const missing = op?.startsWith(':') ? !current : current === undefined;
    if (!missing) return current as string;
    if (op?.endsWith('?')) throw new Error(`${name}: ${arg ?? 'required'}`);
    return op?.endsWith('-') ? (arg ?? '') : '';
  });
}

/** The environment of a service as a map, from either the map or the list form; bare names count as unset. */
function environmentOf(svc: Service): Record<string, string | undefined> {
  const env = svc.environment;
  if (env === undefined) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const eq = entry.indexOf('=');
        return eq === -1 ? [entry, undefined] : [entry.slice(0, eq), entry.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === null ? undefined : String(value)]));
}

/** Published host:container pairs, from the short ("8000:8000", "127.0.0.1:8000:8000") or long form. */
function portsOf(svc: Service): { published: string; target: string }[] {
  return (svc.ports ?? []).map((port) => {
    if (typeof port === 'object') return { published: String(port.published ?? ''), target: String(port.target ?? '') };
    const parts = String(port).replace(/\/(tcp|udp)$/, '').split(':');
    const target = parts.at(-1) ?? '';
    return { published: parts.length > 1 ? (parts.at(-2) ?? '') : '', target };
  });
}

/** The host address each published port binds ('' = every interface). */
function bindingsOf(svc: Service): string[] {
  return (svc.ports ?? []).map((port) => {
    if (typeof port === 'object') return String((port as { host_ip?: string }).host_ip ?? '');
    const parts = String(port).replace(/\/(tcp|udp)$/, '').split(':');
    return parts.length > 2 ? parts.slice(0, -2).join(':') : '';
  });
}

const SECRET = 'a-test-only-signing-key-of-more-than-32-random-bytes-9f3c1e7a';
const apiEnv = environmentOf(service('api'));
const resolvedApiEnv = Object.fromEntries(
  Object.entries(apiEnv).map(([key, value]) => [key, value === undefined ? undefined : interpolate(value, { SECRET_KEY: SECRET, POSTGRES_PASSWORD: 'pw' })]),
);

describe('infra/docker-compose.yml', () => {
  it('uses the compose spec without the obsolete version key', () => {
    expect(compose.version).toBeUndefined();
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'redis', 'api', 'web']));
  });

  it('runs PostgreSQL 15 and Redis 7', () => {
    expect(service('postgres').image).toMatch(/^postgres:15(\b|$)/);
    expect(service('redis').image).toMatch(/^redis:7(\b|$)/);
  });

  it('builds the api from apps/api/Dockerfile with the repository root as context', () => {
    expect(service('api').build).toEqual(expect.objectContaining({ context: '..', dockerfile: 'apps/api/Dockerfile' }));
  });

  it.each([
    ['postgres', '5432'],
    ['redis', '6379'],
  ])('publishes %s on port %s of 127.0.0.1 only', (name, port) => {
    expect(portsOf(service(name))).toEqual([{ published: port, target: port }]);
    expect(bindingsOf(service(name))).toEqual(['127.0.0.1']);
  });

  // Issue 10, item 2: only the proxy is reachable; the API is believed about clients only from it.
  it('does not publish the api: nginx (web) publishes 3002 for the app and 8000 for the API', () => {
    expect(service('api').ports ?? []).toEqual([]);
    expect(portsOf(service('web'))).toEqual([
      { published: '3002', target: '3002' },
      { published: '8000', target: '8000' },
    ]);
    const published = Object.entries(services).flatMap(([name, svc]) => bindingsOf(svc).map((host) => [name, host]));
    expect(published.filter(([, host]) => host !== '127.0.0.1')).toEqual([
      ['web', ''],
      ['web', ''],
    ]);
  });

  it("trusts exactly nginx's fixed address as the proxy", () => {
    const address = service('web').networks?.default?.ipv4_address;
    expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(resolvedApiEnv.TRUST_PROXY).toBe(address);
    const subnet = compose.networks?.default?.ipam?.config?.[0]?.subnet ?? '';
    expect(subnet).toMatch(/^\d+\.\d+\.\d+\.0\/24$/);
    expect(address?.split('.').slice(0, 3)).toEqual(subnet.split('.').slice(0, 3));
    expect(loadConfig(resolvedApiEnv).trustProxy).toEqual([address]);
  });

  it('demands a database password (no default)', () => {
    const postgresEnv = environmentOf(service('postgres'));
    expect(postgresEnv.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?[^}]+\}$/);
    expect(() => interpolate(apiEnv.DATABASE_URL ?? '', { SECRET_KEY: SECRET })).toThrow(/POSTGRES_PASSWORD/);
    expect(composeText).not.toMatch(/POSTGRES_PASSWORD:-/);
  });

  it('nginx proxies everything on 8000 to the api', () => {
    const nginx = read('../../web/nginx/default.conf.template');
    expect(nginx).toMatch(/listen 8000;[\s\S]*location \/ \{\s*set \$api_upstream \$\{API_UPSTREAM\};\s*proxy_pass \$api_upstream;/);
    expect(read('../../web/Dockerfile')).toMatch(/^EXPOSE 3002 8000$/m);
    // The edge replaces what the client sent; appending would pass a forged left part along.
    expect(nginx.match(/proxy_set_header X-Forwarded-For \$remote_addr;/g)).toHaveLength(2);
    expect(nginx).not.toContain('$proxy_add_x_forwarded_for');
  });

  // The API does not cap a trusted proxy's connections per address: nginx caps each client's, on
  // both ports (round 13's break test took an instance's connections through the web app's proxy).
  it("nginx caps each client's connections on both ports", () => {
    const nginx = read('../../web/nginx/default.conf.template');
    expect(nginx).toMatch(/^limit_conn_zone \$binary_remote_addr zone=per_client:\d+m;$/m);
    const servers = nginx.split(/^server \{$/m).slice(1);
    expect(servers).toHaveLength(2);
    for (const server of servers) expect(server).toMatch(/^\s+limit_conn per_client 64;$/m);
  });

  it.each(['postgres', 'redis', 'api'])('gives %s a healthcheck', (name) => {
    const healthcheck = service(name).healthcheck;
    expect(healthcheck?.disable ?? false).toBe(false);
    const test = [healthcheck?.test ?? []].flat().join(' ');
    expect(test).toMatch(name === 'postgres' ? /pg_isready/ : name === 'redis' ? /redis-cli.*ping/ : /fetch\(.*\/ready/);
  });

  it('starts the api only once postgres and redis are healthy', () => {
    const dependsOn = service('api').depends_on;
    expect(Array.isArray(dependsOn)).toBe(false);
    const conditions = Object.fromEntries(Object.entries(dependsOn ?? {}).map(([name, dep]) => [name, (dep as { condition?: string }).condition]));
    expect(conditions).toMatchObject({ postgres: 'service_healthy', redis: 'service_healthy' });
  });

  it.each([...ENV_VARIABLES])('sets %s in the api environment', (name) => {
    expect(Object.keys(apiEnv)).toContain(name);
    expect(apiEnv[name]).toEqual(expect.any(String));
  });

  it('runs in production against the postgres and redis services', () => {
    expect(resolvedApiEnv.NODE_ENV).toBe('production');
    const database = new URL(resolvedApiEnv.DATABASE_URL ?? '');
    expect(database.protocol).toMatch(/^postgres(ql)?:$/);
    expect(database.hostname).toBe('postgres');
    expect(database.port).toBe('5432');
    const redis = new URL(resolvedApiEnv.REDIS_URL ?? '');
    expect(redis.protocol).toBe('redis:');
    expect(redis.hostname).toBe('redis');
    expect(redis.port).toBe('6379');
  });

  it('requires SECRET_KEY from infra/.env instead of shipping a default', () => {
    expect(apiEnv.SECRET_KEY).toMatch(/^\$\{SECRET_KEY:\?[^}]+\}$/);
    expect(() => interpolate(apiEnv.SECRET_KEY ?? '', {})).toThrow(/SECRET_KEY/);
  });

  it('gives the api an environment its configuration accepts', () => {
    const config = loadConfig(resolvedApiEnv);
    expect(config).toMatchObject({ env: 'production', host: '0.0.0.0', port: 8000, secretKey: SECRET, redisUrl: 'redis://redis:6379/0' });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://agentcaller:pw@postgres:5432/agentcaller' });
  });

  it('serves the web app on 3002 from apps/web/Dockerfile, with /v1 going to the api service', () => {
    expect(service('web').build).toEqual(expect.objectContaining({ context: '..', dockerfile: 'apps/web/Dockerfile' }));
    expect(portsOf(service('web'))).toContainEqual({ published: '3002', target: '3002' });
    expect(environmentOf(service('web')).API_UPSTREAM).toBe('http://api:8000');
    expect(service('web').depends_on).toEqual({ api: { condition: 'service_healthy' } });
    expect(service('web').healthcheck).toBeTruthy();
    const nginx = read('../../web/nginx/default.conf.template');
    expect(nginx).toMatch(/listen\s+3002/);
    expect(nginx).toMatch(/location \/v1\/\s*\{\s*set \$api_upstream \$\{API_UPSTREAM\};\s*proxy_pass \$api_upstream;/);
  });
});

describe('.env.example files', () => {
  const infraExample = read('../../../infra/.env.example');
  const apiExample = read('../.env.example');
  const assigned = (text: string): Map<string, string> =>
    new Map([...text.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1] as string, m[2] as string]));

  it.each([...ENV_VARIABLES])('infra/.env.example mentions %s', (name) => {
    expect(infraExample).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it.each([...ENV_VARIABLES])('apps/api/.env.example assigns %s', (name) => {
    expect([...assigned(apiExample).keys()]).toContain(name);
  });

  it('infra/.env.example sets every variable compose reads and no real secret', () => {
    // `$${VAR}` is a literal `${VAR}` for the container's shell, not a compose variable.
    const readByCompose = new Set([...composeText.matchAll(/(?<!\$)\$\{(\w+)/g)].map((m) => m[1] as string));
    // COMPOSE_* variables configure compose itself (project name) rather than the file.
    const assignedHere = [...assigned(infraExample).keys()].filter((name) => !name.startsWith('COMPOSE_'));
    expect(assignedHere.sort()).toEqual([...readByCompose].sort());
    expect(assigned(infraExample).get('SECRET_KEY')).toBe('');
    expect(assigned(infraExample).get('POSTGRES_PASSWORD')).toBe('');
    expect(infraExample).toContain('openssl rand -base64 48');
  });
});

describe('apps/api/Dockerfile', () => {
  const dockerfile = read('../Dockerfile');
  const instructions = (keyword: string): string[] =>
    [...dockerfile.matchAll(new RegExp(`^${keyword}\\s+(.+)$`, 'gm'))].map((m) => (m[1] as string).trim());

  /** The instructions of one stage (`FROM … AS name` up to the next `FROM`). */
  const stage = (name: string): string => {
    const start = dockerfile.search(new RegExp(`^FROM\\s+\\S+\\s+AS\\s+${name}\\s*$`, 'm'));
    expect(start, `stage ${name}`).toBeGreaterThanOrEqual(0);
    const next = dockerfile.slice(start + 1).search(/^FROM\s/m);
    return next < 0 ? dockerfile.slice(start) : dockerfile.slice(start, start + 1 + next);
  };

  it('runs the built server from the deploy folder as its command', () => {
    const cmd = instructions('CMD').at(-1) ?? '';
    expect(JSON.parse(cmd)).toEqual(['node', 'dist/server.js']);
  });

  it('runs as node in production on port 8000, from node 24 with pnpm 12.4.2', () => {
    expect(instructions('USER').at(-1)).toBe('node');
    expect(instructions('EXPOSE')).toContain('8000');
    expect(dockerfile).toMatch(/NODE_ENV=production/);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
    expect(dockerfile).toContain('npm i -g pnpm@12.4.2');
    expect(dockerfile).toMatch(/pnpm install --frozen-lockfile/);
    expect(dockerfile).toMatch(/pnpm exec turbo run build --filter=@agentcaller\/api\.\.\./);
  });

  it('ships only the pruned deploy of the API: the runtime stage copies /deploy and nothing else', () => {
    expect(stage('build')).toMatch(/^RUN pnpm --filter @agentcaller\/api deploy --prod \/deploy$/m);
    const runtime = stage('runtime');
    const copies = [...runtime.matchAll(/^(COPY|ADD)\s+(.+)$/gm)].map((m) => (m[2] as string).trim());
    expect(copies).toEqual(['--from=build /deploy /app']);
  });

  it('leaves glibc its default malloc arenas, in the image and `pnpm start` (two arenas doubled the CPU of a sign-in)', () => {
    const pkg = JSON.parse(read('../package.json')) as { scripts: Record<string, string> };
    expect(dockerfile).not.toMatch(/^\s*(ENV\s+)?MALLOC_ARENA_MAX=/m);
    expect(pkg.scripts.start).not.toContain('MALLOC_ARENA_MAX');
  });

  it('runs V8 with 8 MB semi-spaces and a 1 GB old generation in the image, `pnpm start` and the bench alike (the peak resident set, docs/decisions.md)', () => {
    const flags = '--max-semi-space-size=8 --max-old-space-size=1024';
    const pkg = JSON.parse(read('../package.json')) as { scripts: Record<string, string> };
    expect(dockerfile).toMatch(new RegExp(`^\\s*NODE_OPTIONS="${flags}" \\\\$`, 'm'));
    expect(pkg.scripts.start).toBe(`NODE_ENV=production NODE_OPTIONS='${flags}' node dist/server.js`);
    // The bench measures the API as it is shipped.
    expect(read('../../../bench/src/harness.ts')).toContain(`NODE_OPTIONS: '${flags}'`);
  });

  it('deploys only dist/ of the API package (its `files`)', () => {
    const pkg = JSON.parse(read('../package.json')) as { files?: string[] };
    expect(pkg.files).toEqual(['dist']);
  });
});
