// N EventSource clients, as users write a load test in Node.js: the npm
// eventsource package, one EventSource per stream, JSON.parse of each
// event's data, latency = arrival - sent_unix_nano.
//   node eventsource-clients.mjs URL STREAMS RATE DURATION_S
// Prints one JSON object: opened, events, errors, latency_ms {p50, p99, max}.
import { EventSource } from "eventsource";

const [url, streams, rate, durationS] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])];
let opened = 0, events = 0, errors = 0;
const latencies = [];
const sources = [];

for (let i = 0; i < streams; i++) {
  setTimeout(() => {
    const es = new EventSource(url);
    es.onopen = () => { opened++; };
    es.onmessage = (e) => {
      const now = performance.timeOrigin + performance.now();
      events++;
      const sent = JSON.parse(e.data).sent_unix_nano;
      if (sent) latencies.push(now - sent / 1e6);
    };
    es.onerror = () => { errors++; };
    sources.push(es);
  }, rate > 0 ? (i * 1000) / rate : 0);
}

setTimeout(() => {
  for (const es of sources) es.close();
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)] : null;
  process.stdout.write(JSON.stringify({ opened, events, errors, latency_ms: { p50: q(0.5), p99: q(0.99), max: q(1) } }) + "\n");
  process.exit(0);
}, durationS * 1000);
