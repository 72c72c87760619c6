/**
 * The kiosk's report outbox in IndexedDB. A report is written here first, then
 * sent; it leaves the outbox only when the platform has stored it (202) or has
 * refused it for good (400/413/415). The server ignores a second copy of the same
 * id, so a report re-sent after a lost answer is stored once.
 */
const DB = 'concierge-reports';
const STORE = 'outbox';

export interface OutboxItem {
	id: string;
	report: Record<string, unknown>;
	attempts: number;
	nextAt: number;
}

function open(): Promise<IDBDatabase> {
	return new Promise((resolve, reject) => {
		const req = indexedDB.open(DB, 1);
		req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'id' });
		req.onsuccess = () => resolve(req.result);
		req.onerror = () => reject(req.error);
	});
}

async function tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
	const db = await open();
	try {
		return await new Promise<T>((resolve, reject) => {
			const t = db.transaction(STORE, mode);
			const req = fn(t.objectStore(STORE));
			t.oncomplete = () => resolve(req.result);
			t.onerror = () => reject(t.error);
			t.onabort = () => reject(t.error);
		});
	} finally {
		db.close();
	}
}

export const putItem = (item: OutboxItem) => tx('readwrite', (s) => s.put(item));
export const deleteItem = (id: string) => tx('readwrite', (s) => s.delete(id));
export const allItems = () => tx<OutboxItem[]>('readonly', (s) => s.getAll() as IDBRequest<OutboxItem[]>);
/** At most this many reports wait on a kiosk; the oldest give way to new ones. */
export const MAX_ITEMS = 200;
