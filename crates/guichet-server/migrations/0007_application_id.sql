-- Server schema 7: mark the file as a Guichet server database ("GUIS"), so `restore` tells it
-- from a desk's file or another program's (docs/backups.md).
PRAGMA application_id = 1196771667;
