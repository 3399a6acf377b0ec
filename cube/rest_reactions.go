package cube

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

// AddReaction adds the user's reaction (an emoji) to a message.
func (c *Client) AddReaction(ctx context.Context, messageID, reaction string) error {
	return c.UpdateReaction(ctx, messageID, reaction, "")
}

// RemoveReaction removes the user's reaction from a message.
func (c *Client) RemoveReaction(ctx context.Context, messageID, reaction string) error {
	return c.UpdateReaction(ctx, messageID, "", reaction)
}

// UpdateReaction adds and/or removes a reaction in one call, e.g. to switch from one
// emoji to another (PUT /chat/Message/{id}/reactions). The server then tells the
// dialog's participants with a <reactions/> message.
func (c *Client) UpdateReaction(ctx context.Context, messageID, add, remove string) error {
	if messageID == "" {
		return errors.New("cube: a message id is required")
	}
	if add == "" && remove == "" {
		return errors.New("cube: UpdateReaction needs a reaction to add or remove")
	}
	body := map[string]string{} // only the keys that are set, as the SDKs send them
	if add != "" {
		body["add"] = add
	}
	if remove != "" {
		body["remove"] = remove
	}
	_, err := c.do(c.request(ctx).SetBody(body), http.MethodPut, "/chat/Message/"+url.PathEscape(messageID)+"/reactions")
	return err
}

// ListReactions returns who reacted how: reaction → user ids.
func (c *Client) ListReactions(ctx context.Context, messageID string) (map[string][]int64, error) {
	if messageID == "" {
		return nil, errors.New("cube: a message id is required")
	}
	out := map[string][]int64{}
	if err := c.doJSON(c.request(ctx), http.MethodGet, "/chat/Message/"+url.PathEscape(messageID)+"/reactions", &out); err != nil {
		return nil, err
	}
	return out, nil
}
