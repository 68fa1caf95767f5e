// The chat demo: streams an answer from rillmark-server through streamMarkdown.
import { init, streamMarkdown } from '../src/index.js';

const $ = (id) => document.getElementById(id);
const answer = $('answer');
const status = $('status');
const send = $('send');
const stop = $('stop');
let current = null;

// DOM mutations per second, counted by a MutationObserver on the answer.
let mutationRecords = 0;
new MutationObserver((records) => (mutationRecords += records.length)).observe(answer, {
  childList: true, subtree: true, characterData: true, attributes: true,
});

$('interval').addEventListener('input', () => ($('interval-out').value = `${$('interval').value} ms`));

function setStatus(text, error = false) {
  status.textContent = text;
  status.classList.toggle('error', error);
}

async function loadDocs() {
  const select = $('doc');
  try {
    const res = await fetch('/v1/docs', { headers: { Authorization: `Bearer ${$('token').value}` } });
    const docs = await res.json();
    select.replaceChildren(...docs.map((d) => new Option(`${d.name} (${d.bytes} B)`, d.name)));
  } catch {
    select.replaceChildren(new Option('intro', 'intro'));
  }
}

async function ask(event) {
  event.preventDefault();
  current?.abort();
  const params = {
    format: $('format').value,
    doc: $('doc').value || 'intro',
    interval_ms: Number($('interval').value),
    token_bytes: 4,
    prompt: $('prompt').value,
  };
  if ($('drop').checked) params.drop_after = 25;
  const started = performance.now();
  mutationRecords = 0;
  setStatus('Streaming…');
  send.disabled = true;
  stop.disabled = false;
  window.__demo = { state: 'streaming', errors: [] };
  current = streamMarkdown(answer, '/v1/stream', {
    format: params.format,
    method: 'POST',
    headers: { Authorization: `Bearer ${$('token').value}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(params),
    retry: { maxAttempts: 50, initialDelayMs: 50, maxDelayMs: 500 },
    idleTimeoutMs: 10000,
    onMetrics(m) {
      const s = (performance.now() - started) / 1000;
      $('m-ttft').textContent = m.ttftMs >= 0 ? `${m.ttftMs.toFixed(0)} ms` : '–';
      $('m-tps').textContent = (m.tokens / s).toFixed(0);
      $('m-fps').textContent = (m.flushes / s).toFixed(0);
      $('m-mps').textContent = (mutationRecords / s).toFixed(0);
      $('m-rec').textContent = m.reconnects;
      window.__demo.metrics = m;
    },
    onError(e) {
      window.__demo.errors.push(e.code);
    },
  });
  try {
    const result = await current.done;
    setStatus(`Done: ${result.text.length} characters, ${result.reconnects} reconnect(s).`);
    window.__demo = { ...window.__demo, state: 'done', result };
  } catch (e) {
    setStatus(e.code === 'ABORTED' ? 'Stopped.' : `Error ${e.code}${e.status ? ` ${e.status}` : ''}: ${e.message}`, e.code !== 'ABORTED');
    window.__demo = { ...window.__demo, state: e.code === 'ABORTED' ? 'stopped' : 'error', error: { code: e.code, status: e.status } };
  } finally {
    send.disabled = false;
    stop.disabled = true;
    current = null;
  }
}

// ?token=… pre-fills the bearer token (the e2e suite uses it).
const query = new URLSearchParams(location.search);
if (query.get('token')) $('token').value = query.get('token');
$('token').addEventListener('change', loadDocs);
$('ask').addEventListener('submit', ask);
stop.addEventListener('click', () => current?.abort());
await init();
await loadDocs();
window.__demoReady = true;
