/**
 * Browser-side (platform/client/). The calls this device hung up or cancelled,
 * kept in localStorage so that a reload still knows them: a snapshot that shows
 * one of them live leads to another hang-up, never to a rejoin. The newest 20 are
 * kept. Storage that fails (private mode, full, cleared by a remote disable) only
 * loses the memory; the hang-up itself is repeated until the server confirms it.
 */
const KEEP = 20;

export class HungUpCalls {
	#key: string;
	#storage: () => Pick<Storage, 'getItem' | 'setItem'>;

	/** `storage`: where the list lives (tests pass their own; the app uses localStorage). */
	constructor(key: string, storage: () => Pick<Storage, 'getItem' | 'setItem'> = () => localStorage) {
		this.#key = key;
		this.#storage = storage;
	}

	#read(): string[] {
		try {
			const v = JSON.parse(this.#storage().getItem(this.#key) ?? '[]') as unknown;
			return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
		} catch {
			return [];
		}
	}

	has(id: string): boolean {
		return this.#read().includes(id);
	}

	remember(id: string): void {
		try {
			this.#storage().setItem(this.#key, JSON.stringify([...this.#read().filter((x) => x !== id), id].slice(-KEEP)));
		} catch {
			// The retries of the hang-up still end the call.
		}
	}
}
