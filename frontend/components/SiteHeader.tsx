import Link from "next/link";

import type { Branding } from "@/lib/types";

import { SignOutButton } from "./SignOutButton";

export function SiteHeader({ branding, signedIn }: { branding: Branding; signedIn: boolean }) {
  return (
    <header className="site-header" data-testid="site-header">
      <div className="site-header__brand">
        {branding.logo_url ? <img src={branding.logo_url} alt="" className="site-header__logo" /> : null}
        <div>
          <Link href={signedIn ? "/" : "/book"} className="site-header__name" data-testid="tenant-name">
            {branding.name}
          </Link>
          {branding.tagline ? <p className="site-header__tagline">{branding.tagline}</p> : null}
        </div>
      </div>
      <nav className="site-header__nav" aria-label="Main">
        {signedIn ? (
          <>
            <Link href="/" data-testid="nav-dashboard">
              Dashboard
            </Link>
            <Link href="/bookings" data-testid="nav-bookings">
              Bookings
            </Link>
            <Link href="/rota" data-testid="nav-rota">
              Rota
            </Link>
            <Link href="/chat" data-testid="nav-chat">
              Team chat
            </Link>
            <Link href="/book" data-testid="nav-book">
              Booking page
            </Link>
            <SignOutButton />
          </>
        ) : (
          <>
            <Link href="/book" data-testid="nav-book">
              Book online
            </Link>
            <Link href="/login" data-testid="nav-login">
              Sign in
            </Link>
          </>
        )}
      </nav>
    </header>
  );
}
