export type View = 'home' | 'client' | 'employee' | 'live' | 'background';

export const VIEWS: readonly { readonly view: View; readonly path: string; readonly label: string }[] = [
  { view: 'home', path: '/', label: 'Home' },
  { view: 'client', path: '/client', label: 'Client' },
  { view: 'employee', path: '/employee', label: 'Bank employee' },
  { view: 'live', path: '/live', label: 'Live' },
  { view: 'background', path: '/background', label: 'Background' },
];

/** The view a location path shows; unknown paths show Home. */
export function viewOf(pathname: string): View {
  const path = pathname.replace(/\/+$/, '') || '/';
  return VIEWS.find((v) => v.path === path)?.view ?? 'home';
}

export function pathOf(view: View): string {
  return VIEWS.find((v) => v.view === view)?.path ?? '/';
}
