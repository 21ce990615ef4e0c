from application.authenticate import AuthenticateApiKey
from application.issue_token import IssuedToken, IssueRealtimeToken, IssueTokenCommand


class IssueTokenWithApiKey:
    """The whole token request for an embedding caller that holds a plaintext API key and no
    HTTP server: authenticate the key (AuthenticationFailed, as over HTTP), then issue."""

    def __init__(self, authenticate: AuthenticateApiKey, issue: IssueRealtimeToken) -> None:
        self._authenticate = authenticate
        self._issue = issue

    async def __call__(self, api_key: str, command: IssueTokenCommand) -> IssuedToken:
        return await self._issue(await self._authenticate(api_key), command)
