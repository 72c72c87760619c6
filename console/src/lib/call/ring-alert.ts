/**
 * Ring alerts on the console, so a concierge in another tab or window notices a
 * call: a looping ring sound (static/ring.wav, made by scripts/make-ring.mjs), a
 * desktop notification per ringing kiosk (when permitted) and a flashing tab
 * title. `update()` is given the calls ringing this concierge right now; an empty
 * list (answered, taken by another, cancelled, missed, or not available) stops all.
 */
export interface RingingCall {
	callId: string;
	kioskName: string;
}

export class RingAlert {
	#audio: HTMLAudioElement | null = null;
	#notes = new Map<string, Notification>();
	#flash: ReturnType<typeof setInterval> | null = null;
	#title: string | null = null;
	#active = false;

	get active(): boolean {
		return this.#active;
	}
	/** The ring sound is playing (tests and diagnostics). */
	get soundPlaying(): boolean {
		return !!this.#audio && !this.#audio.paused;
	}

	/** Ask once, from a click (the concierge's first "Available"): browsers only ask from a gesture. */
	static askPermission(): void {
		if (typeof Notification === 'undefined' || Notification.permission !== 'default') return;
		void Notification.requestPermission().catch(() => {});
	}

	update(calls: readonly RingingCall[]): void {
		if (calls.length === 0) return this.stop();
		if (!this.#active) {
			this.#active = true;
			this.#startSound();
			this.#startFlash();
		}
		this.#flashText = calls.length === 1 ? `📞 ${calls[0]!.kioskName} is calling` : `📞 ${calls.length} kiosks are calling`;
		const ids = new Set(calls.map((c) => c.callId));
		for (const [id, n] of this.#notes) {
			if (ids.has(id)) continue;
			n.close();
			this.#notes.delete(id);
		}
		for (const c of calls) if (!this.#notes.has(c.callId)) this.#notify(c);
	}

	stop(): void {
		if (!this.#active) return;
		this.#active = false;
		if (this.#audio) {
			this.#audio.pause();
			this.#audio.currentTime = 0;
		}
		if (this.#flash) clearInterval(this.#flash);
		this.#flash = null;
		if (this.#title !== null) document.title = this.#title;
		this.#title = null;
		for (const n of this.#notes.values()) n.close();
		this.#notes.clear();
	}

	#flashText = '';

	#startSound(): void {
		this.#audio ??= Object.assign(new Audio('/ring.wav'), { loop: true });
		// Autoplay may be refused until the page has had a click; the title and notification still work.
		void this.#audio.play().catch(() => {});
	}

	#startFlash(): void {
		this.#title = document.title;
		let on = false;
		const swap = () => {
			on = !on;
			document.title = on ? this.#flashText : (this.#title ?? '');
		};
		swap();
		this.#flash = setInterval(swap, 1000);
	}

	#notify(c: RingingCall): void {
		if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
		try {
			const n = new Notification(`${c.kioskName} is calling`, {
				body: 'A kiosk is waiting for a concierge. Click to answer in the console.',
				tag: `call-${c.callId}`,
				requireInteraction: true
			});
			n.onclick = () => {
				window.focus();
				n.close();
			};
			this.#notes.set(c.callId, n);
		} catch {
			// Some browsers only allow notifications from a service worker; sound and title remain.
		}
	}
}
