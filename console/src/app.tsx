/**
 * The console's shell: sign-in, then a navigation of the pages the signed-in role may use — decided by the
 * very permission table the API enforces (functions/shared/http/staff-permissions.ts), so the console never
 * offers what the API would refuse — and the page of the current `#/route`.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { StaffRole } from '../../functions/core/domain/staff';
import { STAFF_PERMISSIONS, type StaffEndpointName } from '../../functions/shared/http/staff-permissions';
import { apiClient, type ApiClient } from './api';
import { restoreSession, storeSession, type Session } from './auth/session';
import type { ConsoleConfig } from './config';
import { t } from './messages.zh-CN';
import { AlertsPage } from './pages/alerts';
import { AuditPage } from './pages/audit';
import { ChannelsPage } from './pages/channels';
import { CreditPage } from './pages/credit';
import { IncidentsPage } from './pages/incidents';
import { SignIn } from './pages/sign-in';
import { StatisticsPage } from './pages/statistics';
import { WorklistPage } from './pages/worklist';

export interface PageProps {
  readonly api: ApiClient;
  readonly session: Session;
  /** May the signed-in role call this endpoint? */
  readonly can: (endpoint: StaffEndpointName) => boolean;
}

interface Route {
  readonly path: string;
  readonly label: string;
  /** The endpoint the page cannot do without: shown only to the roles it allows. */
  readonly needs: StaffEndpointName;
  readonly page: (props: PageProps) => preact.JSX.Element;
}

const ROUTES: readonly Route[] = [
  { path: 'channels', label: t.nav.channels, needs: 'getChannelStatistics', page: ChannelsPage },
  { path: 'statistics', label: t.nav.statistics, needs: 'getFilingStatistics', page: StatisticsPage },
  { path: 'credit', label: t.nav.credit, needs: 'listCreditChannels', page: CreditPage },
  { path: 'audit', label: t.nav.audit, needs: 'listAuditTreeHeads', page: AuditPage },
  { path: 'alerts', label: t.nav.alerts, needs: 'listSecurityAlerts', page: AlertsPage },
  { path: 'incidents', label: t.nav.incidents, needs: 'listIncidents', page: IncidentsPage },
  { path: 'worklist', label: t.nav.worklist, needs: 'listStaffFilings', page: WorklistPage },
];

export const allowed = (role: StaffRole, endpoint: StaffEndpointName): boolean => (STAFF_PERMISSIONS[endpoint].roles as readonly StaffRole[]).includes(role);

const currentPath = (): string => location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';

export function App({ config }: { config: ConsoleConfig }) {
  const [session, setSession] = useState<Session | undefined>(() => restoreSession());
  const [path, setPath] = useState(currentPath);
  const [expired, setExpired] = useState(false);
  useEffect(() => {
    // A page chosen from the navigation takes the focus, so that keyboards and screen readers start on it.
    const onHash = () => {
      setPath(currentPath());
      requestAnimationFrame(() => document.getElementById('main')?.focus());
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const signOut = (why?: 'expired') => {
    storeSession(undefined);
    setSession(undefined);
    setExpired(why === 'expired');
  };
  const api = useMemo(() => apiClient(config.apiBase, () => session?.token, () => signOut('expired')), [config, session]);
  if (session === undefined) return <SignIn config={config} expired={expired} onSignedIn={(s) => (setExpired(false), setSession(s))} />;

  const can = (endpoint: StaffEndpointName) => allowed(session.self.role, endpoint);
  const routes = ROUTES.filter((r) => can(r.needs));
  const route = routes.find((r) => r.path === path) ?? routes[0];
  const Page = route?.page;
  return (
    <div class="shell">
      {/* Not a #main link: the hash is the route here, and following it would leave the page. */}
      <a
        class="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        {t.skipToContent}
      </a>
      <header class="top">
        <h1>{t.appName}</h1>
        <p class="who" data-testid="who">
          {t.signIn.signedInAs(session.self.displayName, t.roles[session.self.role], session.self.district)}
        </p>
        <button type="button" onClick={() => signOut()}>
          {t.signIn.signOut}
        </button>
      </header>
      <nav aria-label={t.nav.label}>
        <ul>
          {routes.map((r) => (
            <li key={r.path}>
              <a href={`#/${r.path}`} aria-current={r === route ? 'page' : undefined} data-nav={r.path}>
                {r.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {Page && <Page key={route.path} api={api} session={session} can={can} />}
      </main>
    </div>
  );
}
