import type { MetaData, Privilege, UserInfo } from '../contracts/meta-store.js';
import { findDatabase, findUser } from './meta-data.js';
import { databaseNotFound, metaError, type HandlerOutcome } from './update-helpers.js';

function putUser(data: MetaData, user: UserInfo): MetaData {
  return { ...data, users: data.users.map((u) => (u.name === user.name ? user : u)) };
}

function requireUser(data: MetaData, name: string): UserInfo {
  const u = findUser(data, name);
  if (u === undefined) throw metaError('ERR_META_USER_NOT_FOUND');
  return u;
}

/**
 * CREATE USER. An existing user with the same hash and admin flag is a no-op, otherwise "user already
 * exists". (InfluxDB compares the password against the stored bcrypt hash; a caller that salts its
 * hashes should make that check itself before proposing.)
 */
export function createUser(data: MetaData, name: string, hash: string, admin: boolean): HandlerOutcome {
  if (name === '') throw metaError('ERR_META_USERNAME_REQUIRED');
  const existing = findUser(data, name);
  if (existing !== undefined) {
    if (existing.hash === hash && existing.admin === admin) return { data };
    throw metaError('ERR_META_USER_EXISTS');
  }
  return { data: { ...data, users: [...data.users, { name, hash, admin, privileges: {} }] } };
}

/** DROP USER ("user not found" when missing). */
export function dropUser(data: MetaData, name: string): HandlerOutcome {
  requireUser(data, name);
  return { data: { ...data, users: data.users.filter((u) => u.name !== name) } };
}

/** SET PASSWORD: replaces the stored hash. */
export function setUserPassword(data: MetaData, name: string, hash: string): HandlerOutcome {
  return { data: putUser(data, { ...requireUser(data, name), hash }) };
}

/** GRANT/REVOKE ALL PRIVILEGES: sets the admin flag. */
export function setAdminPrivilege(data: MetaData, name: string, admin: boolean): HandlerOutcome {
  return { data: putUser(data, { ...requireUser(data, name), admin }) };
}

/** GRANT/REVOKE on a database: records the resulting privilege (the user is checked before the database). */
export function setPrivilege(data: MetaData, name: string, db: string, privilege: Privilege): HandlerOutcome {
  const u = requireUser(data, name);
  if (findDatabase(data, db) === undefined) throw databaseNotFound(db);
  return { data: putUser(data, { ...u, privileges: { ...u.privileges, [db]: privilege } }) };
}
