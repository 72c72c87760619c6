/**
 * Browser-side (platform/client/). The media half of a call as both apps hold it:
 * the page's <video> elements and the MediaSession of the current call. It makes a
 * session with the elements already attached, gives the one to join with, joins it
 * keeping the party's own microphone and camera choices, and leaves it (devices off
 * at once). Only the current session's events reach the app; what they mean (show
 * "reconnecting", end the call) stays the app's policy.
 */
import type { Connection } from '../calls/contract.ts';
import { MediaSession, type ElementKind, type MediaSessionOptions, type SessionEvent } from './media-session.ts';

/** The page's <video> elements by kind. */
export type VideoRefs = Record<ElementKind, HTMLVideoElement | null>;

const KINDS: readonly ElementKind[] = ['remoteCamera', 'remoteScreen', 'selfView', 'localScreen'];

/** No elements yet (the page binds them as it renders). */
export function noVideos(): VideoRefs {
	return { remoteCamera: null, remoteScreen: null, selfView: null, localScreen: null };
}

/** The page binds its <video> elements here (`bind:this={call.videos.remoteCamera}`); the current session gets each at once. */
export class VideoElements {
	#els: VideoRefs;
	#onSet: (kind: ElementKind, el: HTMLVideoElement | null) => void;

	constructor(els: VideoRefs, onSet: (kind: ElementKind, el: HTMLVideoElement | null) => void) {
		this.#els = els;
		this.#onSet = onSet;
	}
	#set(kind: ElementKind, el: HTMLVideoElement | null): void {
		this.#els[kind] = el;
		this.#onSet(kind, el);
	}
	get(kind: ElementKind): HTMLVideoElement | null {
		return this.#els[kind];
	}

	get remoteCamera(): HTMLVideoElement | null {
		return this.#els.remoteCamera;
	}
	set remoteCamera(el: HTMLVideoElement | null) {
		this.#set('remoteCamera', el);
	}
	get remoteScreen(): HTMLVideoElement | null {
		return this.#els.remoteScreen;
	}
	set remoteScreen(el: HTMLVideoElement | null) {
		this.#set('remoteScreen', el);
	}
	get selfView(): HTMLVideoElement | null {
		return this.#els.selfView;
	}
	set selfView(el: HTMLVideoElement | null) {
		this.#set('selfView', el);
	}
	/** A preview of our own screen share (the console shows it; the kiosk has none). */
	get localScreen(): HTMLVideoElement | null {
		return this.#els.localScreen;
	}
	set localScreen(el: HTMLVideoElement | null) {
		this.#set('localScreen', el);
	}
}

export interface CallMediaOptions extends Omit<MediaSessionOptions, 'onEvent'> {
	/** The current session's events (a left or replaced session's late events never arrive). */
	onEvent: (e: SessionEvent) => void;
	/**
	 * Where the element references live. The apps pass `$state({...})`, so that
	 * `bind:this` binds to a reactive property; tests leave it out.
	 */
	elements?: VideoRefs;
}

/** Microphone and camera as the party left them: a rejoin keeps a muted one off. */
export interface DeviceChoices {
	mic: boolean;
	camera: boolean;
}

export class CallMedia {
	/** What every session of this call is made with. */
	#sessionOpts: MediaSessionOptions;
	#session: MediaSession | null = null;
	readonly videos: VideoElements;

	constructor({ elements, ...sessionOpts }: CallMediaOptions) {
		this.#sessionOpts = sessionOpts;
		this.videos = new VideoElements(elements ?? noVideos(), (kind, el) => this.#session?.setElement(kind, el));
	}

	/** The current call's session, if any. */
	get session(): MediaSession | null {
		return this.#session;
	}

	/** Is `session` still the current one? (An await may have outlived it: a hang-up, a newer join.) */
	isCurrent(session: MediaSession): boolean {
		return session === this.#session;
	}

	/** A new session (the previous one left, its devices off), with the page's elements attached. */
	fresh(): MediaSession {
		this.leave();
		// A left session is silent, and fresh() leaves the previous one: only the current session's events arrive.
		const session = new MediaSession(this.#sessionOpts);
		for (const kind of KINDS) session.setElement(kind, this.videos.get(kind));
		this.#session = session;
		return session;
	}

	/** The session to join with: the current one (perhaps prewarmed) unless it has left. */
	reuse(): MediaSession {
		return this.#session && !this.#session.left ? this.#session : this.fresh();
	}

	/**
	 * Join the call on `session` with `conn` (or the token `conn()` fetches), then put
	 * back the party's own choices. Resolves null when the session stopped being the
	 * current one meanwhile (the caller drops the result); otherwise the connection
	 * used and whether camera or microphone could be published. Throws what the token
	 * request or the connect throws.
	 */
	async join(session: MediaSession, conn: Connection | (() => Promise<Connection>), choices: DeviceChoices): Promise<{ conn: Connection; published: boolean } | null> {
		const c = typeof conn === 'function' ? await conn() : conn;
		if (!this.isCurrent(session)) return null;
		const published = await session.connect(c);
		if (!this.isCurrent(session)) return null;
		if (!choices.mic) await session.setMicEnabled(false);
		if (!choices.camera) await session.setCameraEnabled(false);
		return { conn: c, published };
	}

	/** Leave the current session: its camera, microphone and screen stop here, synchronously. */
	leave(): void {
		const session = this.#session;
		this.#session = null;
		void session?.leave();
	}

	/** Is the camera capturing for a call? (tests and diagnostics) */
	cameraLive(): boolean {
		return this.#session?.cameraLive() ?? false;
	}
}
