// listeningPorts: how tests find the port a server they started on PORT=0 listens on, by the
// server's own socket (a port picked beforehand could be taken by another test's server).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listeningPorts } from '../src/testing.js';

describe('listeningPorts', () => {
  it('names the ports a process listens on, on IPv4 and IPv6, and none once they are closed', async () => {
    const v4 = createServer().listen(0, '127.0.0.1');
    const v6 = createServer().listen(0, '::1');
    await Promise.all([once(v4, 'listening'), once(v6, 'listening')]);
    const ports = [(v4.address() as AddressInfo).port, (v6.address() as AddressInfo).port];
    expect(listeningPorts(process.pid)).toEqual(expect.arrayContaining(ports));
    await Promise.all([new Promise((resolve) => v4.close(resolve)), new Promise((resolve) => v6.close(resolve))]);
    for (const port of ports) expect(listeningPorts(process.pid)).not.toContain(port);
  });

  it("never names another process's port, and nothing for a process that has exited", async () => {
    const child = spawn(process.execPath, ['-e', "require('node:net').createServer().listen(0, '127.0.0.1', function () { console.log(this.address().port) })"], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise<number>((resolve) => child.stdout.once('data', (line: Buffer) => resolve(Number(String(line).trim()))));
    expect(listeningPorts(child.pid!)).toEqual([port]);
    expect(listeningPorts(process.pid)).not.toContain(port);
    child.kill();
    await once(child, 'exit');
    expect(listeningPorts(child.pid!)).toEqual([]);
  });
});
