//! A PostgreSQL database per test, on the cluster the PG* variables name (`pg_virtualenv -t
//! -o fsync=on cargo test …` sets them): created empty, dropped with the test's server.

use guichet_domain::{Catalogue, SaleConfig};
use guichet_server::store_pg::PgStore;

/// A database made for one test.
pub struct TestDb {
    pub name: String,
    pub url: String,
    admin: String,
    _keys: tempfile::TempDir,
}

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: the PostgreSQL half of the conformance suite needs a cluster — run the tests under `pg_virtualenv -t -o fsync=on cargo test -p guichet-server` (Debian's postgresql-common), which sets PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE"
        )
    })
}

fn url(db: &str) -> String {
    format!(
        "postgres://{}:{}@{}:{}/{db}",
        var("PGUSER"),
        std::env::var("PGPASSWORD").unwrap_or_default(),
        var("PGHOST"),
        var("PGPORT")
    )
}

async fn admin(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {url}: {e}"));
    tokio::spawn(conn);
    client
}

/// This test process's template: migrated, the Paris 2024 catalogue imported, once (each
/// test's database is a copy, made in milliseconds; importing in every test kept a
/// transaction open for seconds, which holds back every other test's change feed).
static TEMPLATE: tokio::sync::Mutex<Option<String>> = tokio::sync::Mutex::const_new(None);

async fn template(admin_url: &str) -> String {
    let mut t = TEMPLATE.lock().await;
    if let Some(name) = t.as_ref() {
        return name.clone();
    }
    let name = format!("t_template_{}", std::process::id());
    let c = admin(admin_url).await;
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();
    c.batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let keys = tempfile::tempdir().unwrap();
    let mut store = PgStore::connect(&url(&name), SaleConfig::paris2024(), 2, keys.path().into())
        .await
        .unwrap();
    store
        .import_catalogue(&Catalogue::paris2024())
        .await
        .unwrap();
    store.retire().await.unwrap();
    drop(store);
    *t = Some(name.clone());
    name
}

/// Runs `sql` again while the template still has a connection closing.
async fn create_from_template(admin_url: &str, sql: &str) {
    let c = admin(admin_url).await;
    for _ in 0..100 {
        match c.batch_execute(sql).await {
            Ok(()) => return,
            Err(e) if e.to_string().contains("being accessed by other users") => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await
            }
            Err(e) => panic!("{sql}: {e}"),
        }
    }
    panic!("{sql}: the template stayed in use");
}

impl TestDb {
    /// A new database `t_<random>`, a copy of the template.
    pub async fn create() -> TestDb {
        let admin_url = url(&var("PGDATABASE"));
        let name = format!("t_{:032x}", super::rand_u128());
        let tpl = template(&admin_url).await;
        create_from_template(
            &admin_url,
            &format!("CREATE DATABASE {name} TEMPLATE {tpl}"),
        )
        .await;
        TestDb {
            url: url(&name),
            name,
            admin: admin_url,
            _keys: tempfile::tempdir().unwrap(),
        }
    }

    /// A store (one replica) on this database, with the Paris 2024 catalogue.
    pub async fn store(&self) -> PgStore {
        let mut s = PgStore::connect(
            &self.url,
            SaleConfig::paris2024(),
            8,
            self._keys.path().join("card-key"),
        )
        .await
        .unwrap();
        if s.catalogue().sessions().next().is_none() {
            s.import_catalogue(&Catalogue::paris2024()).await.unwrap();
        }
        s
    }

    /// A client on this database, for the SQL checks.
    pub async fn client(&self) -> tokio_postgres::Client {
        admin(&self.url).await
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin.clone(), self.name.clone());
        // Dropped inside a test's runtime: a thread of its own with its own runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let c = admin(&admin_url).await;
                let _ = c
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
            });
        })
        .join();
    }
}
