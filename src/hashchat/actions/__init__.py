"""The one mutation layer: `check_*` validate untrusted input, `do_*` change things inside a
transaction and publish events after commit. Every action takes an `AppContext` first
(`hashchat.actions.context`; in a request: `hashchat.web.deps.app_context(request)`), and
refuses with a typed `ActionError` (`hashchat.actions.errors`: 401/403/404/409/422/429; its
`.reason` is a sentence for the person, `.status` the HTTP status).

Public functions:
- accounts: `do_register(ctx, name, password, display_name=None, timezone="UTC", *, is_admin=False,
  client_ip=None) -> UserView` (429 per address when `client_ip` is given);
  `check_login(ctx, name, password, client_ip="") -> UserView` (401/429);
  `do_create_session(ctx, user_id) -> NewSession(session_id, csrf_token)`;
  `do_logout(ctx, session_id)`; `resolve_session(ctx, session_id) -> SessionUser | None`;
  `do_create_token(ctx, name) -> str`; `resolve_token(ctx, token) -> UserView | None`;
  `do_update_profile(ctx, user_id, display_name=None, timezone=None) -> UserView`;
  `do_set_password(ctx, name, password)`; `get_user(ctx, name) -> UserView`.
- series: `do_create_series(ctx, actor, tag, title, timezone, char_rule="x", char_limit=280,
  description="") -> SeriesView`; `get_series(ctx, tag) -> SeriesDetail(series, members,
  chats)`; `list_series(ctx) -> list[SeriesView]`; `do_add_member(ctx, actor, tag, name, role)
  -> MemberView`; `do_remove_member(ctx, actor, tag, name)`.
- chats: `do_create_chat(ctx, actor, tag, title, starts_at, duration_minutes, questions,
  cadence=None) -> ChatView`; `get_chat(ctx, chat_id) -> ChatView`; `do_start_chat`,
  `do_end_chat(ctx, actor, chat_id, comments_close_at=None)`, `do_close_chat` -> ChatView;
  `do_next_question(ctx, actor, chat_id) -> QuestionView`;
  `do_edit_question(ctx, actor, chat_id, number, text) -> QuestionView`.
- posts: `do_create_post(ctx, actor, chat_id, text, reply_to=None, *, auto=False) -> PostView`;
  `do_create_post_once(ctx, actor, chat_id, PostRequest(text, reply_to, auto), key, render)
  -> Answer(status, body, replayed)` (Idempotency-Key: a retry gets the stored answer, 422
  when the key was used for another request; `idempotency.KEY_LIFETIME` is 24 h);
  `list_posts(ctx, chat_id, question=None, *, include_hidden=False) -> list[PostView]`.
- moderation: `do_hide_post(ctx, actor, post_id)`, `do_spotlight_post(ctx, actor, post_id,
  on=True)` -> PostView; `do_block_user(ctx, actor, tag, name) -> UserView`;
  `do_unblock_user(ctx, actor, tag, name) -> UserView`; `list_blocked(ctx, tag) -> list[str]`.
- cadence: `run_due(ctx, now, chat_id=None, *, runner=None) -> int` (the app runs it every
  tick with `hashchat.store.locks.runner_locks(engine)`: on PostgreSQL only the chats whose
  advisory lock this process holds; on SQLite all of them).
- recap: `get_recap(ctx, chat_id) -> RecapData`, `render_recap(ctx, chat_id, fmt)` (formats from
  `hashchat.formats.recaps.RECAP_FORMATS`) and `recap_summaries(ctx, chat_ids)` (the feed's stored
  sentences).
- upcoming: `do_set_questions_public(ctx, actor, chat_id, public)`, `questions_shown_early(...)`.
- permissions: `Role`, `Mutation`, `PERMISSIONS` (the matrix as data), `is_allowed(...)`.
- views: `UserView`, `SeriesView`, `ChatView`, `QuestionView`, `PostView`, `to_json(view)`.
`actor` is always a `UserView` (from `hashchat.web.auth.require_user`).
"""
