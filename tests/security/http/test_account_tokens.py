"""Accounts' bearer tokens on the city portal: who may submit and read what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.kit.tokens import token_hash
from tests.security.http.conftest import OFFICIAL_TOKEN, CityPortal, bearer, foreigner


async def test_a_registration_answers_a_token_and_when_it_expires(city: CityPortal) -> None:
    answer = (await city.http.post("/accounts", json=foreigner("P0000001"))).json()
    assert len(answer["token"]) >= 43  # 32 random bytes, URL-safe
    expires_at = datetime.fromisoformat(answer["token_expires_at"])
    assert datetime.now(UTC) < expires_at <= datetime.now(UTC) + timedelta(days=1)


async def test_each_registration_gets_a_different_token(city: CityPortal) -> None:
    first = await city.open_account("P0000002")
    again = await city.open_account("P0000002")
    assert first.account_id == again.account_id
    assert first.token != again.token


async def test_a_reference_already_used_by_another_identity_gets_409_and_no_token(
    city: CityPortal,
) -> None:
    await city.open_account("P0000003")
    someone_else = {**foreigner("P0000003"), "full_name": "Lee Ji-eun", "sex": "female"}
    response = await city.http.post("/accounts", json=someone_else)
    assert response.status_code == 409
    assert "token" not in response.json()


async def test_the_holder_reads_their_own_dossier(city: CityPortal) -> None:
    holder = await city.open_account("P0000004")
    code = (await city.submit(holder)).json()["dossier_code"]
    response = await city.http.get(f"/dossiers/{code}", headers=bearer(holder.token))
    assert response.status_code == 200
    assert response.json()["dossier_code"] == code


async def test_another_applicants_dossier_answers_exactly_like_an_unknown_code(
    city: CityPortal,
) -> None:
    holder = await city.open_account("P0000005")
    stranger = await city.open_account("P0000006")
    code = (await city.submit(holder)).json()["dossier_code"]
    unknown = code[:-4] + "9999"
    theirs = await city.http.get(f"/dossiers/{code}", headers=bearer(stranger.token))
    missing = await city.http.get(f"/dossiers/{unknown}", headers=bearer(stranger.token))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["detail"].replace(code, unknown) == missing.json()["detail"]


async def test_reading_a_dossier_without_a_token_gets_401_asking_for_one(
    city: CityPortal,
) -> None:
    holder = await city.open_account("P0000007")
    code = (await city.submit(holder)).json()["dossier_code"]
    response = await city.http.get(f"/dossiers/{code}")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_an_expired_account_token_gets_401(city: CityPortal) -> None:
    holder = await city.open_account("P0000008")
    code = (await city.submit(holder)).json()["dossier_code"]
    expired = "a-token-that-expired-a-second-ago"
    past = datetime.now(UTC) - timedelta(seconds=1)
    city.store.add_token(token_hash(expired), holder.account_id, past)
    response = await city.http.get(f"/dossiers/{code}", headers=bearer(expired))
    assert response.status_code == 401


async def test_an_official_token_reads_any_dossier(city: CityPortal) -> None:
    holder = await city.open_account("P0000009")
    code = (await city.submit(holder)).json()["dossier_code"]
    response = await city.http.get(f"/dossiers/{code}", headers=bearer(OFFICIAL_TOKEN))
    assert response.status_code == 200


async def test_a_submission_without_a_token_gets_401(city: CityPortal) -> None:
    response = await city.http.post("/dossiers", json={})
    assert response.status_code == 401


async def test_a_submission_naming_another_account_gets_403(city: CityPortal) -> None:
    holder = await city.open_account("P0000010")
    stranger = await city.open_account("P0000011")
    response = await city.submit(stranger, account_id=holder.account_id)
    assert response.status_code == 403


async def test_another_holders_account_answers_404(city: CityPortal) -> None:
    holder = await city.open_account("P0000012")
    stranger = await city.open_account("P0000013")
    response = await city.http.get(f"/accounts/{holder.account_id}", headers=bearer(stranger.token))
    assert response.status_code == 404


async def test_the_statistics_need_an_official_token(city: CityPortal) -> None:
    holder = await city.open_account("P0000014")
    assert (await city.http.get("/stats", headers=bearer(holder.token))).status_code == 401
    assert (await city.http.get("/stats", headers=bearer(OFFICIAL_TOKEN))).status_code == 200


async def test_tokens_are_stored_only_as_their_hashes(city: CityPortal) -> None:
    holder = await city.open_account("P0000015")
    city.store.db.execute("PRAGMA wal_checkpoint(FULL)")
    stored = b"".join(p.read_bytes() for p in city.data_dir.glob("city_portal.sqlite*"))
    assert token_hash(holder.token).encode() in stored
    assert holder.token.encode() not in stored
