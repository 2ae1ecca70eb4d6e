// The Flask original's database, as Flask-SQLAlchemy created and used it, for compatibility tests both ways.
import Database from "better-sqlite3";

/** `db.create_all()` of the original's ChatMessage model, to the letter. */
export const FLASK_DDL =
  "CREATE TABLE chat_message (id INTEGER PRIMARY KEY, chat_room VARCHAR(50), sender VARCHAR(50), content VARCHAR(500), timestamp DATETIME)";

/** What SQLAlchemy emits for `db.session.add(ChatMessage(...)); db.session.commit()`. */
export const FLASK_INSERT = "INSERT INTO chat_message (chat_room, sender, content, timestamp) VALUES (?, ?, ?, ?)";

/** What SQLAlchemy emits for `ChatMessage.query.filter_by(chat_room=room).order_by(ChatMessage.timestamp).all()`. */
export const FLASK_SELECT =
  "SELECT chat_message.id AS chat_message_id, chat_message.chat_room AS chat_message_chat_room, chat_message.sender AS chat_message_sender, chat_message.content AS chat_message_content, chat_message.timestamp AS chat_message_timestamp FROM chat_message WHERE chat_message.chat_room = ? ORDER BY chat_message.timestamp";

/**
 * SQLAlchemy's SQLite DateTime parser (sqlalchemy/dialects/sqlite/base.py, DATETIME). It uses re.match, so a
 * value only parses as meant when the whole string matches: anchored here so a lost fraction would fail.
 */
export const SQLALCHEMY_DATETIME = /^(\d+)-(\d+)-(\d+)(?: (\d+):(\d+):(\d+)(?:\.(\d{6}))?)?$/;

export interface FlaskRow {
  chat_message_id: number;
  chat_message_chat_room: string | null;
  chat_message_sender: string | null;
  chat_message_content: string | null;
  chat_message_timestamp: string | null;
}

export interface FlaskMessage {
  room: string | null;
  sender: string | null;
  content: string | null;
  /** As stored: SQLAlchemy's `%Y-%m-%d %H:%M:%S.%f` of datetime.utcnow(). */
  timestamp: string | null;
}

/** Creates a chat_history.db as the Flask app left it: its DDL, its rows, user_version 0, rollback journal. */
export function createFlaskDatabase(path: string, messages: FlaskMessage[]): void {
  const db = new Database(path);
  try {
    db.exec(FLASK_DDL);
    const insert = db.prepare(FLASK_INSERT);
    db.transaction(() => {
      for (const m of messages) insert.run(m.room, m.sender, m.content, m.timestamp);
    })();
  } finally {
    db.close();
  }
}

/** Runs `fn` on the file with a plain connection, the way the Flask app would open it. */
export function withFlaskConnection<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path, { fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export function flaskHistory(path: string, room: string): FlaskRow[] {
  return withFlaskConnection(path, (db) => db.prepare(FLASK_SELECT).all(room) as FlaskRow[]);
}
