/** Keep Tab and Shift+Tab inside a dialog (call from its keydown handler). */
export function trapFocus(e: KeyboardEvent, root: HTMLElement): void {
	if (e.key !== 'Tab') return;
	const items = [
		...root.querySelectorAll<HTMLElement>(
			'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])'
		)
	];
	if (items.length === 0) return;
	const first = items[0]!;
	const last = items[items.length - 1]!;
	if (e.shiftKey && document.activeElement === first) {
		e.preventDefault();
		last.focus();
	} else if (!e.shiftKey && document.activeElement === last) {
		e.preventDefault();
		first.focus();
	} else if (!root.contains(document.activeElement)) {
		e.preventDefault();
		first.focus();
	}
}
