// Writes console/static/ring.wav: the console's ring, a soft two-tone chime (G5 then E5,
// with a quiet octave for warmth and a gentle attack and decay), then a pause, so that
// looping it rings like a phone without being shrill. 2 s, 11025 Hz, 16-bit mono (~44 KB).
// Run: node console/scripts/make-ring.mjs
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const rate = 11025;
const seconds = 2;
const samples = new Int16Array(rate * seconds);
const notes = [
	{ freq: 783.99, start: 0.0, length: 0.32 },
	{ freq: 659.25, start: 0.36, length: 0.5 }
];

for (const n of notes) {
	if (n.length <= 0) continue;
	const from = Math.round(n.start * rate);
	const count = Math.round(n.length * rate);
	for (let i = 0; i < count; i++) {
		const t = i / rate;
		// 10 ms attack, exponential decay: a bell-like tone rather than a beep.
		const env = Math.min(1, t / 0.01) * Math.exp((-3.5 * t) / n.length);
		const v = Math.sin(2 * Math.PI * n.freq * t) * 0.8 + Math.sin(2 * Math.PI * n.freq * 2 * t) * 0.15 + Math.sin(2 * Math.PI * n.freq * 3 * t) * 0.05;
		samples[from + i] = Math.max(-32767, Math.min(32767, samples[from + i] + v * env * 0.5 * 32767));
	}
}

const data = Buffer.from(samples.buffer);
const header = Buffer.alloc(44);
header.write('RIFF', 0);
header.writeUInt32LE(36 + data.length, 4);
header.write('WAVE', 8);
header.write('fmt ', 12);
header.writeUInt32LE(16, 16); // PCM chunk size
header.writeUInt16LE(1, 20); // PCM
header.writeUInt16LE(1, 22); // mono
header.writeUInt32LE(rate, 24);
header.writeUInt32LE(rate * 2, 28); // byte rate
header.writeUInt16LE(2, 32); // block align
header.writeUInt16LE(16, 34); // bits per sample
header.write('data', 36);
header.writeUInt32LE(data.length, 40);

const out = fileURLToPath(new URL('../static/ring.wav', import.meta.url));
writeFileSync(out, Buffer.concat([header, data]));
console.log(`wrote ${out} (${44 + data.length} bytes)`);
