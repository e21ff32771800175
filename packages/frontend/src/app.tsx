import { useCallback, useEffect, useState } from 'react';
import { ConnectionBanner } from './components/connection-status.tsx';
import { Navbar } from './components/navbar.tsx';
import type { Account } from './lib/account.ts';
import { pathOf, VIEWS, type View, viewOf } from './lib/route.ts';
import { BackgroundView } from './views/background-view.tsx';
import { ClientView } from './views/client-view.tsx';
import { EmployeeView } from './views/employee-view.tsx';
import { HomeView } from './views/home-view.tsx';
import { LiveView } from './views/live-view.tsx';

/** The five views, one per path; the logged-in account lives here, so it survives switching views. */
export function App() {
  const [view, setView] = useState<View>(() => viewOf(window.location.pathname));
  const [account, setAccount] = useState<Account | null>(null);

  useEffect(() => {
    const onPop = () => setView(viewOf(window.location.pathname));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  useEffect(() => {
    const label = VIEWS.find((v) => v.view === view)?.label ?? 'Home';
    document.title = view === 'home' ? 'Open Bank' : `${label} · Open Bank`;
  }, [view]);

  const navigate = useCallback((next: View) => {
    if (window.location.pathname !== pathOf(next)) window.history.pushState(null, '', pathOf(next));
    setView(next);
    window.scrollTo(0, 0);
  }, []);

  return (
    <div className="app">
      <Navbar view={view} onNavigate={navigate} />
      <ConnectionBanner />
      <main className="section app-main">
        <div className="container">
          {view === 'home' && <HomeView onNavigate={navigate} />}
          {view === 'client' && (
            <ClientView account={account} onLoggedIn={setAccount} onLogout={() => setAccount(null)} />
          )}
          {view === 'employee' && <EmployeeView />}
          {view === 'live' && <LiveView />}
          {view === 'background' && <BackgroundView />}
        </div>
      </main>
      <footer className="footer app-footer">
        <div className="container has-text-centered is-size-7 has-text-grey">
          Open Bank: an event-sourced demo bank on Apache Kafka. No real money moves.
        </div>
      </footer>
    </div>
  );
}
