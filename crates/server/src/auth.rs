//! Who may use the display: users in a TOML file with argon2 password hashes, roles, and
//! login sessions.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};
use vigie_core::tomlfile;

/// What a user may do. Each role may do what the ones before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Sees the picture; changes nothing.
    Observer,
    /// Works the picture: acknowledges alerts, annotates tracks.
    Operator,
    /// Runs exercises (and may do what an operator does).
    Instructor,
    /// Manages users and reads the audit log.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Observer => "observer",
            Role::Operator => "operator",
            Role::Instructor => "instructor",
            Role::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = AuthError;
    fn from_str(s: &str) -> Result<Self, AuthError> {
        match s {
            "observer" => Ok(Role::Observer),
            "operator" => Ok(Role::Operator),
            "instructor" => Ok(Role::Instructor),
            "admin" => Ok(Role::Admin),
            _ => Err(AuthError::UnknownRole(s.to_string())),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("unknown role {0:?}: observer, operator, instructor or admin")]
    UnknownRole(String),
    #[error("a user name is 1 to 64 letters, digits, '.', '-' or '_', got {0:?}")]
    BadName(String),
    #[error("a password needs at least 8 characters")]
    ShortPassword,
    #[error("user {0:?} already exists")]
    Exists(String),
    #[error(transparent)]
    File(#[from] tomlfile::FileError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("hashing the password failed: {0}")]
    Hash(String),
    #[error("no randomness from the operating system: {0}")]
    Random(String),
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub name: String,
    pub role: Role,
    /// PHC string of an argon2id hash.
    pub password_hash: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct UsersFile {
    #[serde(default)]
    user: Vec<User>,
}

/// The users file (`users.toml`).
#[derive(Debug, Default)]
pub struct Users {
    path: Option<PathBuf>,
    users: Vec<User>,
}

impl Users {
    /// Reads `path`; a missing file is no users yet.
    pub fn load(path: &Path) -> Result<Users, AuthError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => {
                return Err(AuthError::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        let file: UsersFile = tomlfile::parse(&text, path)?;
        Ok(Users {
            path: Some(path.to_path_buf()),
            users: file.user,
        })
    }

    /// Users held in memory only (tests, and the demo's throwaway user list).
    pub fn in_memory() -> Users {
        Users::default()
    }

    pub fn len(&self) -> usize {
        self.users.len()
    }

    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// The names of the users with exactly this role.
    pub fn named(&self, role: Role) -> Vec<String> {
        self.users
            .iter()
            .filter(|u| u.role == role)
            .map(|u| u.name.clone())
            .collect()
    }

    /// Adds a user (or, with `replace`, sets an existing one's role and password) and
    /// saves the file.
    pub fn add(
        &mut self,
        name: &str,
        role: Role,
        password: &str,
        replace: bool,
    ) -> Result<(), AuthError> {
        let valid = (1..=64).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if !valid {
            return Err(AuthError::BadName(name.to_string()));
        }
        if password.chars().count() < 8 {
            return Err(AuthError::ShortPassword);
        }
        let user = User {
            name: name.to_string(),
            role,
            password_hash: hash_password(password)?,
        };
        match self.users.iter_mut().find(|u| u.name == name) {
            Some(existing) if replace => *existing = user,
            Some(_) => return Err(AuthError::Exists(name.to_string())),
            None => self.users.push(user),
        }
        self.save()
    }

    fn save(&self) -> Result<(), AuthError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let text = toml::to_string(&UsersFile {
            user: self.users.clone(),
        })
        .map_err(|e| AuthError::Hash(e.to_string()))?;
        let io = |source| AuthError::Io {
            path: path.clone(),
            source,
        };
        // Write then rename: a crash never leaves half a users file.
        let tmp = path.with_extension("toml.tmp");
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        std::fs::write(&tmp, text).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// The user's role when the password is right. An unknown name costs the same hash
    /// as a known one, so timing does not tell which names exist.
    pub fn verify(&self, name: &str, password: &str) -> Option<Role> {
        let user = self.users.iter().find(|u| u.name == name);
        let hash = user.map_or(DUMMY_HASH, |u| u.password_hash.as_str());
        let parsed = PasswordHash::new(hash).ok()?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        user.filter(|_| ok).map(|u| u.role)
    }
}

/// A valid argon2id hash of a password nobody has, verified against for unknown names.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$1yS+GqGQy3bNnwqkWQkLDDiyE5lAtfW8Hfdu0dYyTzE";

pub fn hash_password(password: &str) -> Result<String, AuthError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AuthError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AuthError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// A random secret, hex: session tokens and generated passwords.
pub fn random_hex(bytes: usize) -> Result<String, AuthError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| AuthError::Random(e.to_string()))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub user: String,
    pub role: Role,
    expires_unix_s: i64,
}

/// Live sessions, by token. Bounded: past `SESSIONS_MAX`, the one nearest expiry goes.
#[derive(Debug, Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

const SESSIONS_MAX: usize = 10_000;
/// A shift and a half.
pub const SESSION_TTL_S: i64 = 12 * 3600;

impl Sessions {
    pub fn open(&self, user: &str, role: Role, now_unix_s: i64) -> Result<String, AuthError> {
        let token = random_hex(32)?;
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, s| s.expires_unix_s > now_unix_s);
        if map.len() >= SESSIONS_MAX {
            if let Some(k) = map
                .iter()
                .min_by_key(|(_, s)| s.expires_unix_s)
                .map(|(k, _)| k.clone())
            {
                map.remove(&k);
            }
        }
        map.insert(
            token.clone(),
            Session {
                user: user.to_string(),
                role,
                expires_unix_s: now_unix_s + SESSION_TTL_S,
            },
        );
        Ok(token)
    }

    pub fn get(&self, token: &str, now_unix_s: i64) -> Option<Session> {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.get(token)
            .filter(|s| s.expires_unix_s > now_unix_s)
            .cloned()
    }

    pub fn close(&self, token: &str) -> Option<Session> {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_and_a_wrong_one_does_not() {
        let mut users = Users::in_memory();
        users
            .add("ana", Role::Operator, "correct horse", false)
            .expect("added");
        assert_eq!(users.verify("ana", "correct horse"), Some(Role::Operator));
        assert_eq!(users.verify("ana", "wrong horse"), None);
        assert_eq!(users.verify("bob", "correct horse"), None);
    }

    #[test]
    fn the_dummy_hash_parses() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn users_survive_a_save_and_a_load() {
        let dir = std::env::temp_dir().join(format!("vigie-users-{}", random_hex(6).unwrap()));
        let path = dir.join("users.toml");
        let mut users = Users::load(&path).expect("a missing file is empty");
        users
            .add("admin", Role::Admin, "a long secret", false)
            .unwrap();
        assert!(matches!(
            users.add("admin", Role::Observer, "another secret", false),
            Err(AuthError::Exists(_))
        ));
        let again = Users::load(&path).expect("reads back");
        assert_eq!(again.verify("admin", "a long secret"), Some(Role::Admin));
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn bad_names_and_short_passwords_are_refused() {
        let mut users = Users::in_memory();
        assert!(matches!(
            users.add("a b", Role::Observer, "long enough", false),
            Err(AuthError::BadName(_))
        ));
        assert!(matches!(
            users.add("ab", Role::Observer, "short", false),
            Err(AuthError::ShortPassword)
        ));
    }

    #[test]
    fn sessions_expire() {
        let sessions = Sessions::default();
        let token = sessions.open("ana", Role::Observer, 1_000).unwrap();
        assert_eq!(
            sessions.get(&token, 1_001).map(|s| s.role),
            Some(Role::Observer)
        );
        assert_eq!(sessions.get(&token, 1_000 + SESSION_TTL_S + 1), None);
        assert!(sessions.get("nonsense", 1_001).is_none());
    }
}
