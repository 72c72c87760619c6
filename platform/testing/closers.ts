/** Things a test file opened that the runner must close at the end (pools, workers, servers). */
const closers: (() => Promise<unknown> | unknown)[] = [];

export function onTestRunEnd(fn: () => Promise<unknown> | unknown): void {
	closers.push(fn);
}

export async function runClosers(): Promise<void> {
	await Promise.allSettled(closers.splice(0).map((f) => f()));
}
