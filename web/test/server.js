// Starts rillmark-server (built by CMake) on a free port for a test file.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const TOKEN = 'node-test-token';

/** Starts rillmark-server on a free port; `args` are extra arguments (e.g. --static DIR). */
export async function startServer({ token = TOKEN, args = [] } = {}) {
  const bin = [process.env.RILLMARK_SERVER_BIN, `${root}/build/release/server/rillmark-server`,
               `${root}/build/asan/server/rillmark-server`].filter(Boolean).find((p) => existsSync(p));
  if (!bin) throw new Error('rillmark-server is not built: run .ci/run (or cmake --build build/asan)');
  const proc = spawn(bin, ['--port', '0', '--token', token, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`rillmark-server exited (${code})`)));
  });
  return {
    url,
    auth: { Authorization: `Bearer ${token}` },
    async stats() {
      return (await fetch(`${url}/v1/stats`, { headers: { Authorization: `Bearer ${token}` } })).json();
    },
    async stop() {
      proc.kill('SIGTERM');
      if (proc.exitCode === null) await once(proc, 'exit');
    },
  };
}
