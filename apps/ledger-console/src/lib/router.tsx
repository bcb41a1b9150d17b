import { createContext, useCallback, useContext, useEffect, useMemo, useState, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

/**
 * A router of four routes, on the History API, under /console (the API serves index.html for every
 * path below it). Links are real <a href> elements, so they work with the keyboard, open in a new
 * tab, and read as links to screen readers.
 */
export const BASE = '/console';

export type Route =
  | { readonly name: 'customers'; readonly search?: string }
  | { readonly name: 'customer'; readonly customerId: string }
  | { readonly name: 'reports' }
  | { readonly name: 'program' }
  | { readonly name: 'not-found' };

export function parseRoute(pathname: string, search = ''): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = rest.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'customers')) {
    const q = new URLSearchParams(search).get('q');
    return q === null ? { name: 'customers' } : { name: 'customers', search: q };
  }
  if (parts.length === 2 && parts[0] === 'customers') return { name: 'customer', customerId: parts[1]! };
  if (parts.length === 1 && parts[0] === 'reports') return { name: 'reports' };
  if (parts.length === 1 && parts[0] === 'program') return { name: 'program' };
  return { name: 'not-found' };
}

export function hrefOf(route: Route): string {
  switch (route.name) {
    case 'customers':
      return `${BASE}/`;
    case 'customer':
      return `${BASE}/customers/${encodeURIComponent(route.customerId)}`;
    case 'reports':
      return `${BASE}/reports`;
    case 'program':
      return `${BASE}/program`;
    case 'not-found':
      return `${BASE}/`;
  }
}

interface RouterValue {
  readonly route: Route;
  navigate(route: Route, options?: { replace?: boolean }): void;
}

const RouterContext = createContext<RouterValue | null>(null);

export function RouterProvider({ children }: { children: ReactNode }) {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.pathname, location.search));
  useEffect(() => {
    const onPop = () => setRoute(parseRoute(location.pathname, location.search));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((next: Route, options: { replace?: boolean } = {}) => {
    const href = hrefOf(next);
    if (options.replace) history.replaceState(null, '', href);
    else history.pushState(null, '', href);
    setRoute(next);
    scrollTo(0, 0);
  }, []);
  const value = useMemo(() => ({ route, navigate }), [route, navigate]);
  return <RouterContext.Provider value={value}>{children}</RouterContext.Provider>;
}

export function useRouter(): RouterValue {
  const value = useContext(RouterContext);
  if (value === null) throw new Error('useRouter outside RouterProvider');
  return value;
}

/** An in-app link: a plain click navigates without a reload; modified clicks behave as links do. */
export function Link({ to, children, ...rest }: { to: Route; children: ReactNode } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'>) {
  const { navigate } = useRouter();
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a {...rest} href={hrefOf(to)} onClick={onClick}>
      {children}
    </a>
  );
}
