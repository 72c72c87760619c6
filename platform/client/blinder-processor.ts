/**
 * Browser-side (platform/client/: imports only contract types; never a `.server.ts` file).
 *
 * The blinder: a livekit-client track processor on the kiosk's screen-share track
 * that paints solid blocks over the blinded regions of every frame BEFORE the frame
 * reaches the encoder (livekit-client replaceTrack's the processed track into the
 * sender). What is under a region never leaves the kiosk: no viewer, SFU or
 * recording can undo a fill, unlike a blur.
 *
 * Pipeline: MediaStreamTrackProcessor -> VideoFrame -> OffscreenCanvas (frame, then
 * the fills) -> new VideoFrame -> MediaStreamTrackGenerator. Where those are missing,
 * a canvas fallback: <video> -> canvas drawn each animation frame -> captureStream().
 * Regions can change at any time (setRegions); they apply from the next frame.
 */
import type { BlinderRegion } from '../calls/contract.ts';

/** The shape livekit-client expects of a video processor (TrackProcessor<Track.Kind.Video>). */
export interface VideoTrackProcessor {
	name: string;
	init: (opts: { track: MediaStreamTrack }) => Promise<void>;
	restart: (opts: { track: MediaStreamTrack }) => Promise<void>;
	destroy: () => Promise<void>;
	processedTrack?: MediaStreamTrack;
}

export const BLINDER_FILL = '#3a3f4b';

interface InsertableStreams {
	MediaStreamTrackProcessor?: new (init: { track: MediaStreamTrack }) => { readable: ReadableStream<VideoFrame> };
	MediaStreamTrackGenerator?: new (init: { kind: 'video' }) => MediaStreamTrack & { writable: WritableStream<VideoFrame> };
}

/** Paint the regions (fractions of the frame) over what is on ctx. */
export function paintRegions(ctx: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D, w: number, h: number, regions: readonly BlinderRegion[]): void {
	if (!regions.length) return;
	ctx.fillStyle = BLINDER_FILL;
	for (const r of regions) {
		// Round outwards so no edge pixel of the region escapes.
		const x0 = Math.max(0, Math.floor(r.x * w));
		const y0 = Math.max(0, Math.floor(r.y * h));
		const x1 = Math.min(w, Math.ceil((r.x + r.w) * w));
		const y1 = Math.min(h, Math.ceil((r.y + r.h) * h));
		ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
	}
}

export class BlinderProcessor implements VideoTrackProcessor {
	readonly name = 'concierge-blinder';
	processedTrack?: MediaStreamTrack;
	#regions: BlinderRegion[] = [];
	#stop: (() => void) | null = null;
	/** Frames processed and the time spent on them (bench and diagnostics). */
	readonly stats = { frames: 0, busyMs: 0 };
	/** The last 600 per-frame times, ms (the bench's percentiles). */
	readonly samples: number[] = [];

	#count(t0: number): void {
		const ms = performance.now() - t0;
		this.stats.frames++;
		this.stats.busyMs += ms;
		this.samples.push(ms);
		if (this.samples.length > 600) this.samples.shift();
	}

	constructor(regions: readonly BlinderRegion[] = []) {
		this.#regions = [...regions];
	}

	setRegions(regions: readonly BlinderRegion[]): void {
		this.#regions = [...regions];
	}
	get regions(): readonly BlinderRegion[] {
		return this.#regions;
	}

	async init({ track }: { track: MediaStreamTrack }): Promise<void> {
		await this.destroy();
		const g = globalThis as unknown as InsertableStreams;
		if (g.MediaStreamTrackProcessor && g.MediaStreamTrackGenerator && typeof OffscreenCanvas !== 'undefined')
			this.#insertable(track, g.MediaStreamTrackProcessor, g.MediaStreamTrackGenerator);
		else this.#canvas(track);
	}

	async restart(opts: { track: MediaStreamTrack }): Promise<void> {
		await this.init(opts);
	}

	async destroy(): Promise<void> {
		this.#stop?.();
		this.#stop = null;
		this.processedTrack?.stop();
		this.processedTrack = undefined;
		return Promise.resolve();
	}

	#insertable(
		track: MediaStreamTrack,
		Processor: NonNullable<InsertableStreams['MediaStreamTrackProcessor']>,
		Generator: NonNullable<InsertableStreams['MediaStreamTrackGenerator']>
	): void {
		const input = new Processor({ track });
		const output = new Generator({ kind: 'video' });
		let canvas: OffscreenCanvas | null = null;
		let ctx: OffscreenCanvasRenderingContext2D | null = null;
		const transform = new TransformStream<VideoFrame, VideoFrame>({
			transform: (frame, controller) => {
				const t0 = performance.now();
				const w = frame.displayWidth;
				const h = frame.displayHeight;
				if (!canvas || canvas.width !== w || canvas.height !== h) {
					canvas = new OffscreenCanvas(w, h);
					ctx = canvas.getContext('2d', { alpha: false, desynchronized: true }) as OffscreenCanvasRenderingContext2D;
				}
				ctx!.drawImage(frame, 0, 0, w, h);
				paintRegions(ctx!, w, h, this.#regions);
				const out = new VideoFrame(canvas, { timestamp: frame.timestamp, ...(frame.duration !== null ? { duration: frame.duration } : {}) });
				frame.close();
				this.#count(t0);
				controller.enqueue(out);
			}
		});
		const abort = new AbortController();
		input.readable
			.pipeThrough(transform, { signal: abort.signal })
			.pipeTo(output.writable, { signal: abort.signal })
			.catch(() => {
				// Stopped (destroy, or the capture ended).
			});
		this.processedTrack = output;
		this.#stop = () => abort.abort();
	}

	#canvas(track: MediaStreamTrack): void {
		const video = document.createElement('video');
		video.muted = true;
		video.playsInline = true;
		video.srcObject = new MediaStream([track]);
		void video.play().catch(() => {});
		const settings = track.getSettings();
		const canvas = document.createElement('canvas');
		canvas.width = settings.width ?? 1280;
		canvas.height = settings.height ?? 720;
		const ctx = canvas.getContext('2d', { alpha: false })!;
		// Nothing from the source reaches the output before the first painted frame.
		ctx.fillStyle = BLINDER_FILL;
		ctx.fillRect(0, 0, canvas.width, canvas.height);
		let raf = 0;
		const draw = () => {
			const t0 = performance.now();
			if (video.videoWidth && (canvas.width !== video.videoWidth || canvas.height !== video.videoHeight)) {
				canvas.width = video.videoWidth;
				canvas.height = video.videoHeight;
			}
			if (video.readyState >= 2) {
				ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
				paintRegions(ctx, canvas.width, canvas.height, this.#regions);
				this.#count(t0);
			}
			raf = requestAnimationFrame(draw);
		};
		raf = requestAnimationFrame(draw);
		const out = canvas.captureStream(settings.frameRate ?? 30).getVideoTracks()[0]!;
		this.processedTrack = out;
		this.#stop = () => {
			cancelAnimationFrame(raf);
			video.srcObject = null;
		};
	}
}
