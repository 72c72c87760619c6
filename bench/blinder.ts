/**
 * npm run bench -- blinder
 *
 * The blinder processor's cost at 1080p in headless Chromium on this machine: a
 * 1920x1080 canvas source at 30 fps (its content changes every frame), shown as is,
 * then through platform/client/blinder-processor.ts (bundled with esbuild, the same
 * code the kiosk runs) with three regions. Reports frames per second presented
 * without and with the processor, and the processor's added latency per frame
 * (draw + fill + new VideoFrame, p50/p95), which is what it adds before the encoder.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { percentile } from './ring.ts';

const SECONDS = Number(process.env.BLINDER_SECONDS ?? 8);

const PAGE = `(async () => {
	const c = document.createElement('canvas');
	c.width = 1920; c.height = 1080;
	const ctx = c.getContext('2d');
	let n = 0;
	setInterval(() => { ctx.fillStyle = 'hsl(' + (n++ * 7 % 360) + ',70%,50%)'; ctx.fillRect(0, 0, 1920, 1080); ctx.fillStyle = '#fff'; ctx.font = '120px sans-serif'; ctx.fillText(String(n), 200, 400); }, 33);
	const src = c.captureStream(30).getVideoTracks()[0];
	const measure = async (track) => {
		const v = document.createElement('video');
		v.muted = true; v.srcObject = new MediaStream([track]); document.body.appendChild(v);
		await v.play();
		let frames = 0; const t0 = performance.now();
		await new Promise((resolve) => { const cb = () => { frames++; if (performance.now() - t0 < ${SECONDS * 1000}) v.requestVideoFrameCallback(cb); else resolve(); }; v.requestVideoFrameCallback(cb); });
		const fps = frames / ((performance.now() - t0) / 1000);
		v.remove();
		return { fps, w: v.videoWidth, h: v.videoHeight };
	};
	const base = await measure(src);
	const p = new Blinder.BlinderProcessor([{ x: 0, y: 0.9, w: 1, h: 0.1 }, { x: 0.1, y: 0.1, w: 0.3, h: 0.3 }, { x: 0.6, y: 0.4, w: 0.2, h: 0.2 }]);
	await p.init({ track: src });
	const withBlinder = await measure(p.processedTrack);
	const insertable = typeof MediaStreamTrackProcessor !== 'undefined';
	const out = { base, withBlinder, samples: [...p.samples], insertable };
	await p.destroy();
	return out;
})()`;

export default async function blinderBench(out: (line: Record<string, unknown>) => void): Promise<void> {
	const entry = fileURLToPath(new URL('../platform/client/blinder-processor.ts', import.meta.url));
	const bundle = await build({ entryPoints: [entry], bundle: true, format: 'iife', globalName: 'Blinder', write: false, target: 'chrome120' });
	const { launchBrowser, closeBrowser } = await import('../platform/testing/browser.ts');
	const browser = await launchBrowser();
	try {
		const page = await browser.newPage();
		await page.setContent('<!doctype html><body></body>');
		await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
		const r = (await page.evaluate(PAGE)) as {
			base: { fps: number; w: number; h: number };
			withBlinder: { fps: number; w: number; h: number };
			samples: number[];
			insertable: boolean;
		};
		const s = [...r.samples].sort((a, b) => a - b);
		const round = (v: number | undefined) => Math.round((v ?? 0) * 100) / 100;
		out({
			metric: 'blinder_1080p',
			pipeline: r.insertable ? 'MediaStreamTrackProcessor/Generator' : 'canvas',
			resolution: `${r.withBlinder.w}x${r.withBlinder.h}`,
			fps_without: round(r.base.fps),
			fps_with: round(r.withBlinder.fps),
			added_ms_p50: round(percentile(s, 50)),
			added_ms_p95: round(percentile(s, 95)),
			frames: s.length
		});
	} finally {
		await closeBrowser();
	}
}
