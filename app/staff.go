package app

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app/auth"
)

// staffView is the staff page: everyone may see who is in the studio;
// owners also see pending invitations and the invite form.
type staffView struct {
	Members []member
	Invites []auth.Invite
	Owner   bool // the viewer is an owner
	Form    inviteForm
	Error   string // why a removal was refused
}

type member struct {
	ID        uuid.UUID
	Name      string
	Email     string
	Role      string
	TwoFactor bool
	Joined    time.Time
	Me        bool
}

type inviteForm struct {
	Email, Role string
	Error       string
}

func (a *App) staffPage(c *fiber.Ctx) error {
	v, err := a.staffData(c)
	if err != nil {
		return err
	}
	return a.render(c, "staff", v)
}

// staffData loads the page for the signed-in user. Removed members are
// left out; the activity log still names them.
func (a *App) staffData(c *fiber.Ctx) (*staffView, error) {
	s := session(c)
	users, err := a.Accounts.Users(ctx(c), s.StudioID)
	if err != nil {
		return nil, err
	}
	v := &staffView{Owner: s.User.Role == auth.RoleOwner, Form: inviteForm{Role: auth.RoleStaff}}
	for _, u := range users {
		if u.DisabledAt == nil {
			v.Members = append(v.Members, member{ID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role,
				TwoFactor: u.TwoFactor(), Joined: u.CreatedAt, Me: u.ID == s.UserID})
		}
	}
	if v.Owner {
		if v.Invites, err = a.Accounts.PendingInvites(ctx(c), s.StudioID); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// staffError shows the staff page again with a user error placed by set.
func (a *App) staffError(c *fiber.Ctx, err error, set func(v *staffView, msg string)) error {
	v, lerr := a.staffData(c)
	if lerr != nil {
		return errors.Join(err, lerr)
	}
	return a.formError(c, "staff", err, func(msg string) any { set(v, msg); return v })
}

func (a *App) inviteStaff(c *fiber.Ctx) error {
	form := inviteForm{Email: c.FormValue("email"), Role: c.FormValue("role")}
	inv, err := a.Accounts.Invite(ctx(c), session(c).StudioID, form.Email, form.Role, actor(c), quota{a})
	if err != nil {
		return a.staffError(c, err, func(v *staffView, msg string) { form.Error = msg; v.Form = form })
	}
	setFlash(c, "Invitation sent to "+inv.Email+". The link works once, for 7 days.")
	return c.Redirect("/studio/staff", fiber.StatusSeeOther)
}

func (a *App) removeStaff(c *fiber.Ctx) error {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return problem(fiber.StatusNotFound, "There is no such member in your studio.")
	}
	u, err := a.Accounts.RemoveMember(ctx(c), session(c).StudioID, id, actor(c))
	if err != nil {
		return a.staffError(c, err, func(v *staffView, msg string) { v.Error = msg })
	}
	setFlash(c, u.Name+" was removed: signed out everywhere, and their API tokens no longer work.")
	return c.Redirect("/studio/staff", fiber.StatusSeeOther)
}

// acceptView is the form behind an invitation link.
type acceptView struct {
	Token, Studio, Email, Role string
	Name                       string
	Error                      string
}

func (a *App) invitePage(c *fiber.Ctx) error {
	token := c.Query("token")
	inv, studio, err := a.Accounts.OpenInvite(ctx(c), token)
	if err != nil {
		return err
	}
	return a.render(c, "invite", acceptView{Token: token, Studio: studio, Email: inv.Email, Role: inv.Role})
}

// acceptInvite creates the account and signs the new member in. A dead
// link is the 410 page, not the form: there is nothing to fix in it.
func (a *App) acceptInvite(c *fiber.Ctx) error {
	token := c.FormValue("token")
	inv, studio, err := a.Accounts.OpenInvite(ctx(c), token)
	if err != nil {
		return err
	}
	form := acceptView{Token: token, Studio: studio, Email: inv.Email, Role: inv.Role, Name: c.FormValue("name")}
	s, tok, err := a.Accounts.AcceptInvite(ctx(c), token, form.Name, c.FormValue("password"), actor(c), quota{a})
	if errors.Is(err, auth.ErrLinkExpired) {
		return err
	}
	if err != nil {
		return a.formError(c, "invite", err, func(msg string) any { form.Error = msg; return form })
	}
	a.setSessionCookie(c, tok, s)
	setFlash(c, "Welcome to "+studio+".")
	return c.Redirect("/studio", fiber.StatusSeeOther)
}
