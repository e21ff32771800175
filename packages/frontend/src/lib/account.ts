/** The logged-in client's account, kept in memory only: the token is what authorises transfers from it. */
export interface Account {
  readonly username: string;
  readonly iban: string;
  readonly token: string;
}
