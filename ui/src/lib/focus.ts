/** `use:autofocus`: the field a seller types in first on a screen has the focus when it
 *  appears, so no Tab is needed to reach it. */
export function autofocus(node: HTMLElement) {
  queueMicrotask(() => node.focus());
}
