import type { MouseEvent, ReactNode } from 'react';
import { pathOf, VIEWS, type View } from '../lib/route.ts';
import { TestIds } from '../test-ids.ts';
import { ConnectionStatus } from './connection-status.tsx';
import { BankLogo, BriefcaseIcon, HomeIcon, InfoIcon, PulseIcon, UserIcon } from './icons.tsx';

const ICONS: Record<View, () => ReactNode> = {
  home: HomeIcon,
  client: UserIcon,
  employee: BriefcaseIcon,
  live: PulseIcon,
  background: InfoIcon,
};

/** Plain clicks navigate in the app; modified clicks (new tab) are left to the browser. */
function linkHandler(view: View, onNavigate: (view: View) => void) {
  return (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    onNavigate(view);
  };
}

/** The top bar; on a phone its view links become a tab bar at the bottom of the screen. */
export function Navbar({ view, onNavigate }: { view: View; onNavigate: (view: View) => void }) {
  return (
    <nav className="navbar is-primary app-navbar" aria-label="main navigation">
      <div className="container">
        <div className="navbar-brand">
          <a className="navbar-item brand" href={pathOf('home')} onClick={linkHandler('home', onNavigate)}>
            <BankLogo />
            <span className="brand-name">Open Bank</span>
          </a>
          <div className="navbar-item connection-item">
            <ConnectionStatus />
          </div>
        </div>
        <div className="view-links">
          {VIEWS.map((v) => {
            const Icon = ICONS[v.view];
            return (
              <a
                key={v.view}
                href={v.path}
                className={`navbar-item view-link ${view === v.view ? 'is-active' : ''}`}
                aria-current={view === v.view ? 'page' : undefined}
                data-testid={TestIds.nav(v.view)}
                onClick={linkHandler(v.view, onNavigate)}
              >
                <Icon />
                <span>{v.label}</span>
              </a>
            );
          })}
        </div>
      </div>
    </nav>
  );
}
